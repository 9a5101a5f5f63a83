/**
 * The fake Slack's plain HTTP side: Web API calls under `/api/` and posts to slash commands'
 * response_url endpoints under `/response/`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyOutboundFault, type CallKind, type FaultPlan } from '../fault-plan.js';
import { readBody } from '../read-body.js';
import type { FakeSlackState } from './state.js';
import { handleWebApi, type RateLimitPlan, type WebApiIdentity } from './web-api.js';

/** Web API calls come form-encoded (objects as JSON strings) or as JSON. */
function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if ((contentType ?? '').includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      return parsed !== null && typeof parsed === 'object' ? { ...(parsed as Record<string, unknown>) } : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

const CALL_KIND_OF_METHOD: Record<string, CallKind> = {
  'chat.postMessage': 'slack.post',
  'chat.update': 'slack.update',
  'chat.delete': 'slack.delete',
  'conversations.history': 'slack.history',
  'conversations.replies': 'slack.history',
};

const SLACK_5XX = { status: 503, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ ok: false, error: 'service_unavailable' }) };

export async function routeHttp(
  req: IncomingMessage,
  res: ServerResponse,
  state: FakeSlackState,
  identity: WebApiIdentity,
  rateLimits: RateLimitPlan,
  faultPlan?: FaultPlan,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const raw = await readBody(req);
  const args = parseArgs(raw, req.headers['content-type']);
  if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
    const method = url.pathname.slice('/api/'.length);
    const kind = CALL_KIND_OF_METHOD[method];
    const planned = kind ? faultPlan?.next(kind) : undefined;
    if (planned && faultPlan) {
      applyOutboundFault(planned, req, res, () => answerWebApi(req, res, state, identity, rateLimits, method, args), { holdMs: faultPlan.holdMs, answer5xx: SLACK_5XX });
      return;
    }
    answerWebApi(req, res, state, identity, rateLimits, method, args);
    return;
  }
  if (req.method === 'POST' && url.pathname.startsWith('/response/')) {
    state.recordResponse(url.pathname.slice('/response/'.length), args);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}

function answerWebApi(
  req: IncomingMessage,
  res: ServerResponse,
  state: FakeSlackState,
  identity: WebApiIdentity,
  rateLimits: RateLimitPlan,
  method: string,
  args: Record<string, unknown>,
): void {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
  delete args.token;
  const reply = handleWebApi(state, identity, rateLimits, method, token, args);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
  res.end(JSON.stringify(reply.body));
}
