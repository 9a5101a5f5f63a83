/**
 * A fake Blocks Sessions API (spec/blocks-api.md) on 127.0.0.1, for tests, benchmarks and,
 * later, the sandbox simulator. No test-framework imports: it runs on its own.
 *
 * Per request, in this order: the arrival is logged; the strict sliding window for the
 * presented key decides (over the limit → 429, counted in `state.violations`); an injected
 * fault may take over; then ApiKey auth (401 missing/malformed, 403 wrong key); then the
 * documented endpoint answers. Scripted agents write each turn's final message.
 */

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type AgentRunnerOptions, createAgentRunner } from './blocks/agents.js';
import { createFaultQueue, type FaultSpec } from './blocks/faults.js';
import { createRequestHandler } from './blocks/request-handler.js';
import type { ErrorShape, FakeBlocksBehavior, RouteContext } from './blocks/routes.js';
import { createSlidingWindow, maxInAnyWindow, type SlidingWindow } from './blocks/sliding-window.js';
import {
  addArtifact,
  addEmptySession,
  createMessageFactory,
  createState,
  createTsClock,
  type FakeArtifact,
  type FakeBlocksState,
  type FakeMessage,
  type FakeSession,
  type FakeTurn,
  findTurn,
  requireSession,
} from './blocks/store.js';
import type { FaultPlan } from './fault-plan.js';

export type { AgentScript, AgentScriptSource, TurnContext } from './blocks/agents.js';
export type { FaultAction, FaultMatch, FaultSpec } from './blocks/faults.js';
export type { ErrorShape, FakeBlocksBehavior } from './blocks/routes.js';
export { createSlidingWindow, maxInAnyWindow } from './blocks/sliding-window.js';
export type { FakeArtifact, FakeBlocksState, FakeMessage, FakePullRequest, FakeRequestRecord, FakeSession, FakeTurn } from './blocks/store.js';

export const FAKE_BLOCKS_API_KEY = 'blk_test_key_0123456789';
/** Header a client may send with its budget priority; recorded in the arrival log. */
export const FAKE_PRIORITY_HEADER = 'x-bridge-priority';

export interface FakeBlocksOptions extends AgentRunnerOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Keys accepted (each is its own workspace). Default [FAKE_BLOCKS_API_KEY]. */
  apiKeys?: string[];
  /** Sliding window: at most `limit` arrivals in any `windowMs` per key. Defaults 100 / 60,000. */
  limit?: number;
  windowMs?: number;
  /** Send Retry-After (seconds until a slot frees) with the window's 429s. Default true. */
  retryAfterOnLimit?: boolean;
  /** Clock for arrival times, timestamps and the window. Default Date.now. */
  now?: () => number;
  /** `_links` origin; 'self' serves links on the fake's own URL. Default https://api.prod.blocks.team. */
  linkOrigin?: string;
  validationStatus?: 400 | 422;
  errorShape?: ErrorShape;
  omitFinalMessageLink?: boolean;
  followUpWithoutThread?: boolean;
  singleRoleOnly?: boolean;
  systemNotices?: boolean;
  /** The fault matrix's plan: creates, follow-ups and polls it names fail. */
  faultPlan?: FaultPlan;
}

export interface FakeBlocks {
  url: string;
  apiKey: string;
  state: FakeBlocksState;
  /** Mutable behaviour switches (link origin, error shape, …). */
  behavior: FakeBlocksBehavior;
  window: SlidingWindow;
  /** Adds a fault for the next `times` (default 1) matching requests. */
  inject(fault: FaultSpec): void;
  clearFaults(): void;
  pendingFaults(): number;
  /** Highest number of logged arrivals (all keys) in any window of `windowMs` (default: the server's). */
  maxInAnyWindow(windowMs?: number): number;
  /** Finishes a running turn now (manual agents, or to skip a delay). */
  completeTurn(threadId: string, finalText?: string): FakeMessage | undefined;
  findTurn(threadId: string): { session: FakeSession; turn: FakeTurn } | undefined;
  /** Adds a PR to a session, in either wire shape. */
  addPullRequest(sessionId: string, pr: string | { url: string; status?: string }): void;
  addArtifact(sessionId: string, fields?: Partial<Omit<FakeArtifact, 'id' | 'sessionId'>>): FakeArtifact;
  addSystemNotice(sessionId: string, text: string): FakeMessage;
  /** A session with no messages (follow-ups to it get 400 BAD_REQUEST). */
  createEmptySession(apiKey?: string): FakeSession;
  /** Clears the arrival log, the violation count and the window. */
  resetLog(): void;
  close(): Promise<void>;
}

export async function createFakeBlocks(options: FakeBlocksOptions = {}): Promise<FakeBlocks> {
  const now = options.now ?? Date.now;
  const apiKeys = new Set(options.apiKeys ?? [FAKE_BLOCKS_API_KEY]);
  const state = createState();
  const window = createSlidingWindow({ limit: options.limit ?? 100, windowMs: options.windowMs ?? 60_000 });
  const faults = createFaultQueue();
  const ts = createTsClock(now);
  const messages = createMessageFactory(now, ts);
  const runner = createAgentRunner(options, messages);
  const behavior: FakeBlocksBehavior = {
    linkOrigin: 'https://api.prod.blocks.team',
    validationStatus: options.validationStatus ?? 400,
    errorShape: options.errorShape ?? 'error-string',
    omitFinalMessageLink: options.omitFinalMessageLink ?? false,
    followUpWithoutThread: options.followUpWithoutThread ?? false,
    singleRoleOnly: options.singleRoleOnly ?? false,
    systemNotices: options.systemNotices ?? true,
    workspaceId: randomUUID(),
  };
  const ctx: RouteContext = { state, behavior, runner, messages, ts, now };
  const sockets = new Set<Socket>();
  const handler = createRequestHandler({
    state,
    window,
    faults,
    apiKeys,
    ctx,
    now,
    priorityHeader: FAKE_PRIORITY_HEADER,
    retryAfterOnLimit: options.retryAfterOnLimit !== false,
    ...(options.faultPlan ? { faultPlan: options.faultPlan } : {}),
  });

  const server = createServer((req, res) => {
    handler.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `fake blocks crashed: ${String(error)}` }));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  behavior.linkOrigin = options.linkOrigin === 'self' ? url : (options.linkOrigin ?? behavior.linkOrigin);

  const defaultKey = [...apiKeys][0] ?? FAKE_BLOCKS_API_KEY;

  return {
    url,
    apiKey: defaultKey,
    state,
    behavior,
    window,
    inject: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    maxInAnyWindow: (windowMs = window.windowMs) =>
      maxInAnyWindow(
        state.requests.map((r) => r.arrivalMs),
        windowMs,
      ),
    completeTurn(threadId, finalText) {
      const found = findTurn(state, threadId);
      if (!found) throw new Error(`fake blocks: no turn ${threadId}`);
      return runner.complete(found.session, found.turn, finalText);
    },
    findTurn: (threadId) => findTurn(state, threadId),
    addPullRequest(sessionId, pr) {
      requireSession(state, sessionId).pull_requests.push(pr);
    },
    addArtifact: (sessionId, fields = {}) => addArtifact(state, requireSession(state, sessionId), fields, now),
    addSystemNotice(sessionId, text) {
      return messages.add(requireSession(state, sessionId), { chat_thread_id: null, task_id: null, role: 'assistant', type: 'message', message: text });
    },
    createEmptySession: (apiKey = defaultKey) => addEmptySession(state, apiKey, now),
    resetLog() {
      state.requests.length = 0;
      state.violations = 0;
      window.reset();
    },
    async close() {
      runner.close();
      handler.clearTimers();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
