/**
 * The documented Blocks endpoints (spec/blocks-api.md §5), with their shapes and errors.
 * Called after auth, the sliding window and fault injection have had their say.
 */
import { randomUUID } from 'node:crypto';
import type { AgentRunner } from './agents.js';
import { type FakeBlocksState, type FakeMessage, type FakeSession, type FakeTurn, type MessageFactory, sortKey, type TsClock } from './store.js';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const CORE_AGENTS = ['claude', 'codex', 'gemini', 'opencode', 'cursor', 'kimi', 'sisyphus'];
const TYPES = new Set(['message', 'final_message', 'tool_call']);
const ROLES = new Set(['user', 'assistant']);

/** How error bodies are shaped: the envelope is unspecified (spec §4.5), so clients must read all three. */
export type ErrorShape = 'error-string' | 'error-object' | 'message';

/** Behaviour switches; mutable at run time through `fake.behavior`. */
export interface FakeBlocksBehavior {
  /** Origin written into `_links` (default https://api.prod.blocks.team, a FOREIGN host, as the real API does). */
  linkOrigin: string;
  /** Status for create/follow-up validation failures: the docs say 400, the real service 422. */
  validationStatus: 400 | 422;
  errorShape: ErrorShape;
  /** Create answers without a final_message link ("no thread committed"). */
  omitFinalMessageLink: boolean;
  /** Follow-ups answered with `chat_thread_id: null` and no thread or final_message link. */
  followUpWithoutThread: boolean;
  /** Older deployments: a repeated `role` is a 422. */
  singleRoleOnly: boolean;
  /** Write a null-thread system notice into each new session. */
  systemNotices: boolean;
  /** Dashboard workspace segment for session_html_url. */
  workspaceId: string;
}

export interface RouteContext {
  state: FakeBlocksState;
  behavior: FakeBlocksBehavior;
  runner: AgentRunner;
  messages: MessageFactory;
  ts: TsClock;
  now: () => number;
}

export interface RouteRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  /** Parsed JSON body; undefined when absent or not JSON. */
  body: unknown;
  apiKey: string;
}

export interface RouteResponse {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

function errorBody(shape: ErrorShape, code: string, message: string): unknown {
  if (shape === 'error-object') return { error: { code, message } };
  if (shape === 'message') return { message, code };
  return { error: message, code };
}

function fail(ctx: RouteContext, status: number, code: string, message: string): RouteResponse {
  return { status, json: errorBody(ctx.behavior.errorShape, code, message) };
}

function link(ctx: RouteContext, path: string): { href: string } {
  return { href: `${ctx.behavior.linkOrigin}${path}` };
}

function sessionPath(id: string): string {
  return `/rest/v1/sessions/${id}`;
}

function threadPath(sessionId: string, threadId: string): string {
  return `${sessionPath(sessionId)}/threads/${threadId}/messages`;
}

export function sessionJson(ctx: RouteContext, session: FakeSession, firstTurn?: FakeTurn): unknown {
  const withThread = firstTurn !== undefined;
  return {
    id: session.id,
    title: session.title,
    pull_requests: session.pull_requests,
    source_url: session.source_url,
    is_archived: session.is_archived,
    is_private: session.is_private,
    created_at: session.created_at,
    updated_at: session.updated_at,
    thread_id: withThread ? firstTurn.threadId : null,
    session_html_url: `https://blocks.team/app/${ctx.behavior.workspaceId}/sessions/${session.id}`,
    plan_artifact_ids: session.plan_artifact_ids,
    session_group_id: session.session_group_id,
    _links: {
      self: link(ctx, sessionPath(session.id)),
      messages: link(ctx, `${sessionPath(session.id)}/messages`),
      thread: withThread ? link(ctx, threadPath(session.id, firstTurn.threadId)) : null,
      final_message: withThread && !ctx.behavior.omitFinalMessageLink ? link(ctx, `${threadPath(session.id, firstTurn.threadId)}?type=final_message&role=assistant`) : null,
    },
  };
}

/** Opens a turn: the user message (ts null, as the docs say is usual), then the scripted agent. */
export function openTurn(ctx: RouteContext, session: FakeSession, prompt: string): { turn: FakeTurn; userMessage: FakeMessage } {
  for (const running of session.turns) ctx.runner.interrupt(session, running);
  const threadId = randomUUID();
  const taskId = randomUUID();
  const userMessage = ctx.messages.add(session, { chat_thread_id: threadId, task_id: taskId, role: 'user', type: 'message', message: prompt, ts: null });
  const turn: FakeTurn = { sessionId: session.id, threadId, taskId, userMessageId: userMessage.id, prompt, status: 'running', polls: 0, progressSent: 0, startedAtMs: ctx.now() };
  session.turns.push(turn);
  ctx.runner.start(session, turn);
  return { turn, userMessage };
}

function findSession(ctx: RouteContext, id: string, apiKey: string): FakeSession | undefined {
  const session = ctx.state.sessions.get(id.toLowerCase());
  // Workspace scoping: another key's session is a 404, not a 403 (spec §2).
  return session && session.apiKey === apiKey ? session : undefined;
}

function isUuidArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && UUID_RE.test(item));
}

function createSession(ctx: RouteContext, req: RouteRequest): RouteResponse {
  const body = req.body;
  const v = ctx.behavior.validationStatus;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return fail(ctx, v, 'VALIDATION', 'Body must be a JSON object.');
  const input = body as Record<string, unknown>;
  if (typeof input.message !== 'string') return fail(ctx, v, 'VALIDATION', 'message is required.');
  const selectors = ['agent_name', 'agent_id', 'profile'].filter((key) => input[key] !== undefined && input[key] !== null);
  if (selectors.length === 0) return fail(ctx, v, 'VALIDATION', 'None of agent_id, agent_name, or profile was provided.');
  if (selectors.length > 1) return fail(ctx, v, 'VALIDATION', 'Exactly one of agent_id, agent_name, or profile must be provided.');
  if (input.agent_name !== undefined && (typeof input.agent_name !== 'string' || !CORE_AGENTS.includes(input.agent_name))) {
    return fail(ctx, v, 'VALIDATION', `agent_name must be one of ${CORE_AGENTS.join(', ')}.`);
  }
  if (input.agent_id !== undefined && (typeof input.agent_id !== 'string' || !UUID_RE.test(input.agent_id))) return fail(ctx, 422, 'VALIDATION', 'agent_id must be a UUID.');
  if (input.profile !== undefined && (typeof input.profile !== 'object' || Array.isArray(input.profile))) return fail(ctx, v, 'VALIDATION', 'profile must be an object.');
  if (input.artifact_ids !== undefined && !isUuidArray(input.artifact_ids)) return fail(ctx, 422, 'VALIDATION', 'artifact_ids must be an array of UUIDs.');
  if (input.session_group_id !== undefined && (typeof input.session_group_id !== 'string' || !UUID_RE.test(input.session_group_id))) {
    return fail(ctx, 422, 'VALIDATION', 'session_group_id must be a UUID.');
  }
  const iso = new Date(ctx.now()).toISOString();
  const session: FakeSession = {
    id: randomUUID(),
    apiKey: req.apiKey,
    title: typeof input.title === 'string' && input.title !== '' ? input.title : input.message.slice(0, 60) || 'Untitled session',
    agent: {
      ...(typeof input.agent_name === 'string' ? { agent_name: input.agent_name } : {}),
      ...(typeof input.agent_id === 'string' ? { agent_id: input.agent_id } : {}),
      ...(input.profile !== undefined ? { profile: input.profile } : {}),
    },
    is_private: input.is_private === true,
    is_archived: false,
    pull_requests: [],
    source_url: null,
    session_group_id: typeof input.session_group_id === 'string' ? input.session_group_id : null,
    plan_artifact_ids: [],
    created_at: iso,
    updated_at: iso,
    turns: [],
    messages: [],
  };
  ctx.state.sessions.set(session.id, session);
  if (ctx.behavior.systemNotices) {
    ctx.messages.add(session, { chat_thread_id: null, task_id: null, role: 'assistant', type: 'message', message: 'Sandbox is starting up.' });
  }
  const { turn } = openTurn(ctx, session, input.message);
  return { status: 200, json: sessionJson(ctx, session, turn) };
}

function followUp(ctx: RouteContext, req: RouteRequest, session: FakeSession): RouteResponse {
  const v = ctx.behavior.validationStatus;
  const input = req.body as Record<string, unknown> | null;
  if (input === null || typeof input !== 'object' || Array.isArray(input) || typeof input.message !== 'string') {
    return fail(ctx, v, 'VALIDATION', 'message is required.');
  }
  if (input.artifact_ids !== undefined && !isUuidArray(input.artifact_ids)) return fail(ctx, 422, 'VALIDATION', 'artifact_ids must be an array of UUIDs.');
  if (!session.messages.some((message) => message.role === 'user')) {
    return fail(ctx, 400, 'BAD_REQUEST', 'Session has no initial message; create it with POST /rest/v1/sessions.');
  }
  const { turn, userMessage } = openTurn(ctx, session, input.message);
  if (ctx.behavior.followUpWithoutThread) {
    return { status: 200, json: { ...userMessage, chat_thread_id: null, _links: { self: link(ctx, `${sessionPath(session.id)}/messages`) } } };
  }
  return {
    status: 200,
    json: {
      ...userMessage,
      _links: {
        self: link(ctx, `${sessionPath(session.id)}/messages`),
        thread: link(ctx, threadPath(session.id, turn.threadId)),
        final_message: link(ctx, `${threadPath(session.id, turn.threadId)}?type=final_message&role=assistant`),
      },
    },
  };
}

function intParam(params: URLSearchParams, key: string, fallback: number, max?: number): number | undefined {
  const raw = params.get(key);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  if (value < 1 || (max !== undefined && value > max)) return undefined;
  return value;
}

function listMessages(ctx: RouteContext, req: RouteRequest, session: FakeSession, threadId?: string): RouteResponse {
  const params = req.params;
  const types = params.getAll('type');
  const roles = params.getAll('role');
  for (const value of [...types, ...roles]) {
    if (value.includes(',')) return fail(ctx, 422, 'VALIDATION', 'Repeat the key for several values; comma lists are not accepted.');
  }
  if (types.some((type) => !TYPES.has(type))) return fail(ctx, 422, 'VALIDATION', `type must be one of ${[...TYPES].join(', ')}.`);
  if (roles.some((role) => !ROLES.has(role))) return fail(ctx, 422, 'VALIDATION', 'role must be user or assistant.');
  if (ctx.behavior.singleRoleOnly && roles.length > 1) return fail(ctx, 422, 'VALIDATION', 'role accepts a single value.');
  const threadFilter = threadId ?? params.get('thread_id') ?? undefined;
  if (threadFilter !== undefined && !UUID_RE.test(threadFilter)) return fail(ctx, 422, 'VALIDATION', 'thread_id must be a UUID.');
  const gtsRaw = params.get('gts');
  const gts = gtsRaw === null ? undefined : Number(gtsRaw);
  if (gts !== undefined && (gtsRaw!.trim() === '' || !Number.isFinite(gts))) return fail(ctx, 422, 'VALIDATION', 'gts must be a number of epoch seconds.');
  const direction = params.get('direction') ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc') return fail(ctx, 422, 'VALIDATION', 'direction must be asc or desc.');
  const page = intParam(params, 'page', 1);
  const limit = intParam(params, 'limit', 50, 100);
  if (page === undefined) return fail(ctx, 422, 'VALIDATION', 'page must be an integer >= 1.');
  if (limit === undefined) return fail(ctx, 422, 'VALIDATION', 'limit must be an integer from 1 to 100.');

  // Poll-driven agents advance before the page is built, so the Nth poll already sees the answer.
  ctx.runner.onPoll(session);

  const wantTypes = new Set(types.length > 0 ? types : ['message', 'final_message']);
  const wantRoles = new Set(roles.length > 0 ? roles : ['assistant']);
  const matching = session.messages.filter(
    (message) =>
      wantTypes.has(message.type) &&
      wantRoles.has(message.role) &&
      (threadFilter === undefined || message.chat_thread_id === threadFilter.toLowerCase()) &&
      (gts === undefined || (message.ts !== null && message.ts > gts)),
  );
  const sorted = [...matching].sort((a, b) => sortKey(a) - sortKey(b));
  if (direction === 'desc') sorted.reverse();
  const items = sorted.slice((page - 1) * limit, page * limit);
  const newest = items.reduce<number | undefined>((max, item) => (item.ts !== null && (max === undefined || item.ts > max) ? item.ts : max), undefined);
  const cursor = newest ?? ctx.ts.nowSeconds();
  const path = threadId ? threadPath(session.id, threadId) : `${sessionPath(session.id)}/messages`;
  return {
    status: 200,
    json: {
      items,
      meta: { total: matching.length, page, limit, total_pages: Math.ceil(matching.length / limit) },
      // self drops the query; new_messages keeps ONLY gts (spec §4.3, §8.3).
      _links: { self: link(ctx, path), new_messages: link(ctx, `${path}?gts=${String(cursor)}`) },
    },
  };
}

function getArtifact(ctx: RouteContext, session: FakeSession, artifactId: string): RouteResponse {
  const artifact = ctx.state.artifacts.get(artifactId.toLowerCase());
  if (!artifact || artifact.sessionId !== session.id) return fail(ctx, 404, 'NOT_FOUND', 'Artifact not found.');
  const { sessionId: _omit, ...wire } = artifact;
  return { status: 200, json: wire };
}

const SESSION_ROUTE = /^\/rest\/v1\/sessions\/([^/]+)(?:\/(messages|threads\/([^/]+)\/messages|artifacts\/([^/]+)))?$/;

export function route(ctx: RouteContext, req: RouteRequest): RouteResponse {
  if (req.path === '/rest/v1/sessions') {
    return req.method === 'POST' ? createSession(ctx, req) : fail(ctx, 405, 'METHOD_NOT_ALLOWED', 'Use POST.');
  }
  const match = SESSION_ROUTE.exec(req.path);
  if (!match) return fail(ctx, 404, 'NOT_FOUND', 'No such route.');
  const [, sessionId, tail, threadId, artifactId] = match;
  const ids = [sessionId, threadId, artifactId].filter((id): id is string => id !== undefined);
  if (ids.some((id) => !UUID_RE.test(id))) return fail(ctx, 422, 'VALIDATION', 'Ids must be UUIDs.');
  const isPost = req.method === 'POST';
  if (req.method !== 'GET' && !(isPost && tail === 'messages')) return fail(ctx, 405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
  const session = findSession(ctx, sessionId!, req.apiKey);
  if (!session) return fail(ctx, 404, 'NOT_FOUND', 'Session not found.');
  if (tail === undefined) return { status: 200, json: sessionJson(ctx, session) };
  if (tail === 'messages') return isPost ? followUp(ctx, req, session) : listMessages(ctx, req, session);
  if (threadId !== undefined) {
    if (!session.turns.some((turn) => turn.threadId === threadId.toLowerCase())) return fail(ctx, 404, 'NOT_FOUND', 'Thread not found.');
    return listMessages(ctx, req, session, threadId.toLowerCase());
  }
  return getArtifact(ctx, session, artifactId!);
}
