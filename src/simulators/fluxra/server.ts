/**
 * The fake Fluxra HTTP server (node:http on 127.0.0.1). It routes with the same route table
 * the client uses (so config overrides can be mirrored), records every request, applies
 * injected faults, and answers like the documented service: JSON envelopes for application
 * errors, plain text for auth-middleware failures. No test-framework imports: the sandbox
 * can run it as a simulator.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FluxraRouteName, type RouteDefinition, resolveFluxraRoutes } from '../../services/fluxra/routes.js';
import { applyOutboundFault, type CallKind, type FaultPlan } from '../fault-plan.js';
import { type FakeFluxraFault, FaultQueue } from './faults.js';
import { createHandlers, FakeAuthFailure, type FakeFluxraSettings, type HandlerResult } from './handlers.js';
import { type FakeConversation, FakeFluxraRefusal, FakeFluxraState, type FakeMessage, type RecordedRequest, type SendInput } from './state.js';

export interface FakeFluxraOptions extends Partial<FakeFluxraSettings> {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Serve routes at overridden paths, as `fluxra.routes` in config does for the client. */
  routes?: Partial<Record<FluxraRouteName, Partial<RouteDefinition>>>;
  /** Clock for token expiry and timestamps. Default `Date.now`. */
  now?: () => number;
  /** The fault matrix's plan: sends, edits, deletes and message lists it names fail. */
  faultPlan?: FaultPlan;
}

const CALL_KIND_OF_ROUTE: Partial<Record<FluxraRouteName, CallKind>> = {
  sendMessage: 'fluxra.send',
  editMessage: 'fluxra.edit',
  deleteMessage: 'fluxra.delete',
  listMessages: 'fluxra.list',
};

const FLUXRA_5XX = { status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'service unavailable' } }) };

/** An agent made directly in the fake's state, with its credentials. */
export interface FakeAgentCredentials {
  agentId: string;
  agentName: string;
  recoveryKey: string;
  apiKey: string;
}

export interface FakeFluxra {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  port: number;
  state: FakeFluxraState;
  /** Mutable at run time (token lifetime, page sizes, …). */
  settings: FakeFluxraSettings;
  /** Apply `fault` to the next `times` (default 1) requests of `route` (default any). */
  inject(fault: FakeFluxraFault, options?: { route?: FluxraRouteName | 'any'; times?: number }): void;
  clearFaults(): void;
  createAgent(input?: { agentName?: string; apiKey?: string }): FakeAgentCredentials;
  createConversation(input: { creatorId: string; name?: string; memberIds?: string[] }): FakeConversation;
  addMembers(conversationId: string, agentIds: string[]): void;
  /** Posts as any agent, with the same rules as `POST /api/messages`. */
  postAs(agentId: string, input: Omit<SendInput, 'recipientAgentId'> & { conversationId: string }): FakeMessage;
  editAs(agentId: string, messageId: string, content: string): FakeMessage;
  deleteAs(agentId: string, messageId: string): void;
  /** `ownerId` blocks `targetId` (an agent, or a conversation with type `group`). */
  blockFrom(ownerId: string, targetId: string, type?: 'agent' | 'group'): void;
  /** Makes every issued JWT invalid (the next Bearer call gets a plain-text 401). */
  revokeTokens(): void;
  /** Requests that reached `route`. */
  requestsTo(route: FluxraRouteName): RecordedRequest[];
  close(): Promise<void>;
}

interface CompiledRoute {
  name: FluxraRouteName;
  method: string;
  pattern: RegExp;
  keys: string[];
}

function compile(name: FluxraRouteName, route: RouteDefinition): CompiledRoute {
  const keys: string[] = [];
  const source = route.path
    .split(/(\{[a-z_]+\})/)
    .map((part) => {
      const key = /^\{([a-z_]+)\}$/.exec(part)?.[1];
      if (key) {
        keys.push(key);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { name, method: route.method, pattern: new RegExp(`^${source}$`), keys };
}

function recordHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    // Only the scheme word: a recorded request must never hold a credential.
    headers[name] = name === 'authorization' ? (text.split(/\s+/)[0] ?? '') : text;
  }
  return headers;
}

type Handlers = ReturnType<typeof createHandlers>;
type RouteMatch = { name: FluxraRouteName; params: Record<string, string> };

function matchRoute(compiled: CompiledRoute[], method: string, path: string): RouteMatch | undefined {
  for (const route of compiled) {
    if (route.method !== method) continue;
    const found = route.pattern.exec(path);
    if (!found) continue;
    const params: Record<string, string> = {};
    route.keys.forEach((key, index) => {
      params[key] = decodeURIComponent(found[index + 1] ?? '');
    });
    return { name: route.name, params };
  }
  return undefined;
}

function parseJsonBody(raw: string): unknown {
  try {
    return raw === '' ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, record: RecordedRequest, status: number, body: { json?: unknown; text?: string }, headers: Record<string, string> = {}): void {
  record.status = status;
  if (body.text !== undefined) {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body.text);
  } else {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body.json === undefined ? '' : JSON.stringify(body.json));
  }
}

/** Runs the route's handler: auth failures in plain text, refusals as the JSON error envelope. */
function answer(handlers: Handlers, res: ServerResponse, record: RecordedRequest, route: RouteMatch | undefined, req: IncomingMessage, url: URL, body: unknown): void {
  if (!route) {
    send(res, record, 404, { json: { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` } } });
    return;
  }
  let result: HandlerResult;
  try {
    result = handlers[route.name]({ route: route.name, params: route.params, query: url.searchParams, body, authorization: req.headers.authorization });
  } catch (error) {
    if (error instanceof FakeAuthFailure) {
      send(res, record, 401, { text: error.message });
      return;
    }
    if (error instanceof FakeFluxraRefusal) {
      send(res, record, error.status, { json: { error: { code: error.code, message: error.message } } });
      return;
    }
    send(res, record, 500, { json: { error: { code: 'INTERNAL_ERROR', message: 'internal error' } } });
    return;
  }
  send(res, record, result.status, { json: result.json });
}

/** Applies an injected fault; latency keeps its timer in `timers` so close() can cancel it. */
function applyFault(fault: FakeFluxraFault, req: IncomingMessage, res: ServerResponse, record: RecordedRequest, proceed: () => void, timers: Set<NodeJS.Timeout>): void {
  switch (fault.kind) {
    case 'latency': {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) proceed();
      }, fault.ms);
      timers.add(timer);
      return;
    }
    case 'status':
      send(res, record, fault.status, fault.text !== undefined ? { text: fault.text } : { json: fault.json }, fault.headers);
      return;
    case 'rateLimit':
      send(
        res,
        record,
        429,
        { json: { error: { code: 'RATE_LIMIT_EXCEEDED', message: 'rate limit exceeded' } } },
        fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter },
      );
      return;
    case 'hang':
      return;
    case 'drop':
      req.socket.destroy();
      return;
  }
}

export async function createFakeFluxra(options: FakeFluxraOptions = {}): Promise<FakeFluxra> {
  const now = options.now ?? Date.now;
  const settings: FakeFluxraSettings = {
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    tokenExpiryHint: options.tokenExpiryHint ?? 'expires_in',
    blocksPageSize: options.blocksPageSize ?? 50,
    blocksLastPageCursor: options.blocksLastPageCursor ?? 'null',
    messagesPageSize: options.messagesPageSize ?? 50,
    version: options.version ?? '0.4.0',
  };
  const state = new FakeFluxraState(now);
  const handlers = createHandlers(state, settings, now);
  const faults = new FaultQueue();
  const table = resolveFluxraRoutes(options.routes);
  const compiled = (Object.keys(table) as FluxraRouteName[]).map((name) => compile(name, table[name]));
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const method = req.method ?? 'GET';
      const route = matchRoute(compiled, method, url.pathname);
      const body = parseJsonBody(Buffer.concat(chunks).toString('utf8'));
      const record: RecordedRequest = {
        method,
        path: url.pathname,
        route: route?.name,
        query: Object.fromEntries(url.searchParams),
        headers: recordHeaders(req),
        body,
        at,
      };
      state.requests.push(record);
      const proceed = () => answer(handlers, res, record, route, req, url, body);
      const kind = route ? CALL_KIND_OF_ROUTE[route.name] : undefined;
      const planned = kind ? options.faultPlan?.next(kind) : undefined;
      if (planned && options.faultPlan) {
        if (planned === '5xx') record.status = 503;
        applyOutboundFault(planned, req, res, proceed, { holdMs: options.faultPlan.holdMs, answer5xx: FLUXRA_5XX, timers });
        return;
      }
      const fault = faults.take(route?.name);
      if (fault) applyFault(fault, req, res, record, proceed, timers);
      else proceed();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    state,
    settings,
    inject: (fault, injectOptions) => faults.add(fault, injectOptions),
    clearFaults: () => faults.clear(),
    createAgent(input = {}) {
      const agent = state.registerAgent({ agentName: input.agentName ?? `agent-${state.agents.size + 1}-${port}` });
      const key = state.createApiKey(agent.agentId, { name: 'fake' }, input.apiKey);
      return { agentId: agent.agentId, agentName: agent.agentName, recoveryKey: agent.recoveryKey, apiKey: key.apiKey };
    },
    createConversation: (input) => state.createConversation(input.creatorId, { name: input.name ?? 'fake-conversation', memberIds: input.memberIds ?? [] }),
    addMembers: (conversationId, agentIds) => state.addMembers(conversationId, agentIds),
    postAs: (agentId, input) => state.send(agentId, input),
    editAs: (agentId, messageId, content) => state.editMessage(agentId, messageId, content),
    deleteAs: (agentId, messageId) => state.deleteMessage(agentId, messageId),
    blockFrom(ownerId, targetId, type = 'agent') {
      state.createBlock(ownerId, { type, targetId });
    },
    revokeTokens() {
      for (const token of state.tokens.values()) token.revoked = true;
    },
    requestsTo: (route) => state.requests.filter((r) => r.route === route),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Hung requests and keep-alive sockets would hold the server (and the process) open.
        server.closeAllConnections();
      }),
  };
}
