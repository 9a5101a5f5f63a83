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
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type AgentRunnerOptions, createAgentRunner } from './blocks/agents.js';
import { createFaultQueue, type FaultSpec } from './blocks/faults.js';
import { type ErrorShape, type FakeBlocksBehavior, type RouteContext, route } from './blocks/routes.js';
import { createSlidingWindow, maxInAnyWindow, type SlidingWindow } from './blocks/sliding-window.js';
import {
  createMessageFactory,
  createState,
  createTsClock,
  type FakeArtifact,
  type FakeBlocksState,
  type FakeMessage,
  type FakeRequestRecord,
  type FakeSession,
  type FakeTurn,
} from './blocks/store.js';

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
  singleRoleOnly?: boolean;
  systemNotices?: boolean;
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

const AUTH_RE = /^ApiKey\s+(\S+)$/;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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
    singleRoleOnly: options.singleRoleOnly ?? false,
    systemNotices: options.systemNotices ?? true,
    workspaceId: randomUUID(),
  };
  const ctx: RouteContext = { state, behavior, runner, messages, ts, now };
  const sockets = new Set<Socket>();
  const pendingTimers = new Set<NodeJS.Timeout>();
  let seq = 0;

  function send(res: ServerResponse, record: FakeRequestRecord, status: number, body: unknown, headers: Record<string, string> = {}): void {
    record.status = status;
    const isText = typeof body === 'string';
    const payload = body === undefined ? '' : isText ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json', ...headers });
    res.end(payload);
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        resolve();
      }, ms);
      pendingTimers.add(timer);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivalMs = now();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const authHeader = req.headers.authorization;
    const priority = req.headers[FAKE_PRIORITY_HEADER];
    const record: FakeRequestRecord = {
      seq: (seq += 1),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      ...(typeof priority === 'string' ? { priority } : {}),
      arrivalMs,
      status: 0,
      authPresent: typeof authHeader === 'string' && authHeader !== '',
    };
    state.requests.push(record);
    const presented = typeof authHeader === 'string' ? (AUTH_RE.exec(authHeader.trim())?.[1] ?? '') : '';

    // Counted at arrival, before anything else: refused and failing requests count too.
    const bucket = presented || '(no key)';
    if (!window.arrive(bucket, arrivalMs)) {
      state.violations += 1;
      const headers: Record<string, string> = {};
      if (options.retryAfterOnLimit !== false) {
        headers['retry-after'] = String(Math.max(1, Math.ceil(window.waitMs(bucket, arrivalMs) / 1000)));
      }
      send(res, record, 429, { error: 'Rate limit exceeded', code: 'RATE_LIMITED' }, headers);
      return;
    }

    const rawBody = await readBody(req);
    let body: unknown;
    if (rawBody !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
    }
    if (body !== undefined && record.method === 'POST') record.body = body;

    const fault = faults.take(record.method, record.path);
    if (fault) {
      record.fault = fault.type;
      switch (fault.type) {
        case 'latency':
          await delay(fault.ms);
          break;
        case 'hang':
          return; // closed by close()
        case 'drop':
          req.socket.destroy();
          return;
        case 'respond':
          send(res, record, fault.status, fault.body, fault.headers);
          return;
        case 'rate-limit': {
          const headers: Record<string, string> = {};
          if (fault.retryAfterSeconds !== undefined) {
            headers['retry-after'] = fault.retryAfterAs === 'date' ? new Date(now() + fault.retryAfterSeconds * 1000).toUTCString() : String(fault.retryAfterSeconds);
          }
          send(res, record, 429, fault.body ?? { error: 'Rate limit exceeded' }, headers);
          return;
        }
      }
    }

    if (!presented) {
      send(res, record, 401, { error: 'Missing or malformed Authorization header; expected "ApiKey <key>".', code: 'UNAUTHORIZED' });
      return;
    }
    if (!apiKeys.has(presented)) {
      send(res, record, 403, { error: 'Invalid API key.', code: 'FORBIDDEN' });
      return;
    }
    const answer = route(ctx, { method: record.method, path: record.path, params: url.searchParams, body, apiKey: presented });
    send(res, record, answer.status, answer.text ?? answer.json, answer.headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
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

  function findTurn(threadId: string): { session: FakeSession; turn: FakeTurn } | undefined {
    for (const session of state.sessions.values()) {
      const turn = session.turns.find((candidate) => candidate.threadId === threadId.toLowerCase());
      if (turn) return { session, turn };
    }
    return undefined;
  }

  function requireSession(sessionId: string): FakeSession {
    const session = state.sessions.get(sessionId.toLowerCase());
    if (!session) throw new Error(`fake blocks: no session ${sessionId}`);
    return session;
  }

  return {
    url,
    apiKey: [...apiKeys][0] ?? FAKE_BLOCKS_API_KEY,
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
      const found = findTurn(threadId);
      if (!found) throw new Error(`fake blocks: no turn ${threadId}`);
      return runner.complete(found.session, found.turn, finalText);
    },
    findTurn,
    addPullRequest(sessionId, pr) {
      requireSession(sessionId).pull_requests.push(pr);
    },
    addArtifact(sessionId, fields = {}) {
      const session = requireSession(sessionId);
      const id = randomUUID();
      const kind = fields.kind ?? 'plan';
      const artifact: FakeArtifact = {
        id,
        sessionId: session.id,
        url: fields.url ?? `https://storage.blocks.invalid/artifacts/${id}?X-Amz-Signature=fake`,
        file_name: fields.file_name ?? 'plan.md',
        file_path: fields.file_path ?? '/workspace/plan.md',
        file_size_in_kb: fields.file_size_in_kb ?? 2,
        mime_type: fields.mime_type ?? 'text/markdown',
        kind,
        plan_id: fields.plan_id !== undefined ? fields.plan_id : kind === 'plan' ? randomUUID() : null,
        created_at: fields.created_at ?? new Date(now()).toISOString(),
      };
      state.artifacts.set(id, artifact);
      if (kind === 'plan') session.plan_artifact_ids.push(id);
      return artifact;
    },
    addSystemNotice(sessionId, text) {
      return messages.add(requireSession(sessionId), { chat_thread_id: null, task_id: null, role: 'assistant', type: 'message', message: text });
    },
    createEmptySession(apiKey = [...apiKeys][0] ?? FAKE_BLOCKS_API_KEY) {
      const iso = new Date(now()).toISOString();
      const session: FakeSession = {
        id: randomUUID(),
        apiKey,
        title: 'Empty session',
        agent: { agent_name: 'claude' },
        is_private: false,
        is_archived: false,
        pull_requests: [],
        source_url: null,
        session_group_id: null,
        plan_artifact_ids: [],
        created_at: iso,
        updated_at: iso,
        turns: [],
        messages: [],
      };
      state.sessions.set(session.id, session);
      return session;
    },
    resetLog() {
      state.requests.length = 0;
      state.violations = 0;
      window.reset();
    },
    async close() {
      runner.close();
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
