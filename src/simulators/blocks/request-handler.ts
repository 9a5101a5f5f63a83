/**
 * One request through the fake Blocks server, in the order the real service applies them:
 * the arrival is logged; the strict sliding window for the presented key decides (over the
 * limit → 429, counted in `state.violations`); an injected fault may take over; then ApiKey
 * auth (401 missing/malformed, 403 wrong key); then the documented endpoint answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyOutboundFault, type CallKind, type FaultPlan } from '../fault-plan.js';
import { readBody } from '../read-body.js';
import type { FaultAction, FaultQueue } from './faults.js';
import { type RouteContext, route } from './routes.js';
import type { SlidingWindow } from './sliding-window.js';
import type { FakeBlocksState, FakeRequestRecord } from './store.js';

const AUTH_RE = /^ApiKey\s+(\S+)$/;

export interface RequestHandlerDeps {
  state: FakeBlocksState;
  window: SlidingWindow;
  faults: FaultQueue;
  apiKeys: ReadonlySet<string>;
  ctx: RouteContext;
  now: () => number;
  /** Header whose value is recorded as the request's budget priority. */
  priorityHeader: string;
  /** Send Retry-After with the window's 429s. */
  retryAfterOnLimit: boolean;
  /** The fault matrix's plan: creates, follow-ups and polls it names fail. */
  faultPlan?: FaultPlan;
}

/** The fault matrix's name for a call: a create, a follow-up, or any read of a session (a poll). */
function callKindOf(method: string, path: string): CallKind | undefined {
  if (!path.startsWith('/rest/v1/sessions')) return undefined;
  if (method === 'POST') return path === '/rest/v1/sessions' ? 'blocks.create' : path.endsWith('/messages') ? 'blocks.follow-up' : undefined;
  return method === 'GET' && path !== '/rest/v1/sessions' ? 'blocks.poll' : undefined;
}

const BLOCKS_5XX = { status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'Service unavailable', code: 'UNAVAILABLE' }) };

export interface RequestHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Cancels the waits of injected latency faults. */
  clearTimers(): void;
}

/** The parsed JSON body; undefined when empty or not JSON. */
function parseJson(rawBody: string): unknown {
  if (rawBody === '') return undefined;
  try {
    return JSON.parse(rawBody);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, record: FakeRequestRecord, status: number, body: unknown, headers: Record<string, string> = {}): void {
  record.status = status;
  const isText = typeof body === 'string';
  const payload = body === undefined ? '' : isText ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json', ...headers });
  res.end(payload);
}

function recordArrival(req: IncomingMessage, url: URL, arrivalMs: number, seq: number, priorityHeader: string): FakeRequestRecord {
  const authHeader = req.headers.authorization;
  const priority = req.headers[priorityHeader];
  return {
    seq,
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.search.replace(/^\?/, ''),
    ...(typeof priority === 'string' ? { priority } : {}),
    arrivalMs,
    status: 0,
    authPresent: typeof authHeader === 'string' && authHeader !== '',
  };
}

/** Answers a fault that takes the request over; false when the request goes on (latency). */
function answerFault(fault: FaultAction, req: IncomingMessage, res: ServerResponse, record: FakeRequestRecord, now: () => number): boolean {
  switch (fault.type) {
    case 'latency':
      return false;
    case 'hang':
      return true; // closed by close()
    case 'drop':
      req.socket.destroy();
      return true;
    case 'respond':
      send(res, record, fault.status, fault.body, fault.headers);
      return true;
    case 'rate-limit': {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) {
        headers['retry-after'] = fault.retryAfterAs === 'date' ? new Date(now() + fault.retryAfterSeconds * 1000).toUTCString() : String(fault.retryAfterSeconds);
      }
      send(res, record, 429, fault.body ?? { error: 'Rate limit exceeded' }, headers);
      return true;
    }
  }
}

export function createRequestHandler(deps: RequestHandlerDeps): RequestHandler {
  const { state, window, faults, apiKeys, ctx, now } = deps;
  const pendingTimers = new Set<NodeJS.Timeout>();
  let seq = 0;

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
    const record = recordArrival(req, url, arrivalMs, (seq += 1), deps.priorityHeader);
    state.requests.push(record);
    const presented = typeof authHeader === 'string' ? (AUTH_RE.exec(authHeader.trim())?.[1] ?? '') : '';

    // Counted at arrival, before anything else: refused and failing requests count too.
    const bucket = presented || '(no key)';
    if (!window.arrive(bucket, arrivalMs)) {
      state.violations += 1;
      const headers: Record<string, string> = {};
      if (deps.retryAfterOnLimit) {
        headers['retry-after'] = String(Math.max(1, Math.ceil(window.waitMs(bucket, arrivalMs) / 1000)));
      }
      send(res, record, 429, { error: 'Rate limit exceeded', code: 'RATE_LIMITED' }, headers);
      return;
    }

    const body = parseJson(await readBody(req));
    if (body !== undefined && record.method === 'POST') record.body = body;

    const kind = callKindOf(record.method, record.path);
    const planned = kind ? deps.faultPlan?.next(kind) : undefined;
    if (planned && deps.faultPlan) {
      record.fault = planned;
      if (planned === '5xx') record.status = 503;
      applyOutboundFault(planned, req, res, () => answer(presented, res, record, url, body), { holdMs: deps.faultPlan.holdMs, answer5xx: BLOCKS_5XX, timers: pendingTimers });
      return;
    }

    const fault = faults.take(record.method, record.path);
    if (fault) {
      record.fault = fault.type;
      if (fault.type === 'latency') await delay(fault.ms);
      else if (answerFault(fault, req, res, record, now)) return;
    }
    answer(presented, res, record, url, body);
  }

  function answer(presented: string, res: ServerResponse, record: FakeRequestRecord, url: URL, body: unknown): void {
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

  return {
    handle,
    clearTimers() {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
    },
  };
}
