/**
 * The Blocks Sessions client: one method per documented endpoint (spec §5), plus the two
 * helpers the session engine needs (agent resolution and the completion poll). It knows
 * nothing of chat. Inputs are checked before anything is sent, so a typo costs no slot
 * of the 100-per-minute budget.
 */
import type { Dispatcher } from 'undici';
import { UserInputError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { registerSecret } from '../../core/redact.js';
import type { RateBudget } from '../../ratelimit/types.js';
import { createAgentResolver } from './agents.js';
import { apiUrl, fallbackFinalMessageUrl, followUpCursor, GTS_PATTERN, rebaseBlocksLink, sessionMessagesUrl } from './links.js';
import { asObject, messageTime, type NormalizeContext, normalizeArtifact, normalizeMessage, normalizeMessagePage, normalizeSession, requireObject } from './normalize.js';
import { type BlocksCall, createBlocksTransport } from './transport.js';
import type {
  BlocksArtifact,
  BlocksCallOptions,
  BlocksCreatedSession,
  BlocksMessage,
  BlocksMessagePage,
  BlocksSession,
  BlocksTurn,
  CreateSessionInput,
  FollowUpInput,
  ListMessagesInput,
  ResolvedAgent,
} from './types.js';
import { ALLOWED_ROLES, ALLOWED_TYPES, artifactIdsOf, positiveInt, requireMessage, requireProfile, requireUuid } from './validate.js';

/** Options of `createBlocksClient`. */
export interface BlocksClientConfig {
  /** The configured origin, e.g. https://api.blocks.team (a path prefix is kept). */
  baseUrl: string;
  apiKey: string;
  dispatcher: Dispatcher;
  /** Every attempt, retries included, is scheduled through it. */
  budget: RateBudget;
  requestTimeoutMs?: number;
  /** Extra names → workspace agent UUIDs (Blocks has no list-agents endpoint). */
  agentAliases?: Record<string, string>;
  /** Further attempts after the first, for the failures that may be retried. */
  maxRetries?: number;
  /** Resends of a create after a 5xx or timeout (spec §10.6 allows at most one). */
  maxCreateResends?: number;
  /** Base of the doubling backoff used after a 429 without Retry-After, and between 5xx/network retries. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Sends `x-bridge-priority` with each request (for the fake's arrival log in benchmarks). */
  sendPriorityHeader?: boolean;
  logger?: Logger;
  /** Injected for deterministic jitter in tests. */
  random?: () => number;
}

/** Defaults, declared once. Retry numbers follow the official Action (5 attempts, 1 s doubling, 30 s cap). */
export const BLOCKS_CLIENT_DEFAULTS = Object.freeze({
  requestTimeoutMs: 30_000,
  maxRetries: 4,
  maxCreateResends: 1,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  titleMaxLength: 200,
  defaultDirection: 'asc' as const,
});

/** The Blocks Sessions API, as the session engine uses it. */
export interface BlocksClient {
  /** Starts a session (default priority interactive). Exactly one of agentName / agentId / profile. */
  createSession(input: CreateSessionInput, options?: BlocksCallOptions): Promise<BlocksCreatedSession>;
  /** A core agent name (case-insensitive), a configured alias, or a UUID; UserInputError listing valid names otherwise. */
  resolveAgent(nameOrUuid: string): ResolvedAgent;
  /** Core names, then aliases. */
  validAgentNames(): string[];
  getSession(sessionId: string, options?: BlocksCallOptions): Promise<BlocksSession>;
  /** Opens a new turn (interrupting a running one). Never resent after a 5xx or timeout. */
  sendFollowUp(sessionId: string, input: FollowUpInput, options?: BlocksCallOptions): Promise<BlocksTurn>;
  /** One page of messages (default priority background). */
  listMessages(input: ListMessagesInput, options?: BlocksCallOptions): Promise<BlocksMessagePage>;
  /** The turn's final message, or undefined while it is running (default priority background). */
  pollFinalMessage(turn: Pick<BlocksTurn, 'sessionId' | 'threadId' | 'finalMessageUrl' | 'answersAfterGts'>, options?: BlocksCallOptions): Promise<BlocksMessage | undefined>;
  /**
   * Progress and completion in one request (spec §10.3): the turn's thread read for new
   * assistant messages, tool calls and the final message since `gts` (none: from the start),
   * oldest first. Needs the turn's thread id. Default priority background.
   */
  pollTurnItems(turn: Pick<BlocksTurn, 'sessionId' | 'threadId'>, gts: string | undefined, options?: BlocksCallOptions): Promise<BlocksTurnItems>;
  getArtifact(sessionId: string, artifactId: string, options?: BlocksCallOptions): Promise<BlocksArtifact>;
}

/** What one progress read of a turn's thread found. */
export interface BlocksTurnItems {
  /** The thread's new assistant items, oldest first (ts, then id), system notices left out. */
  items: BlocksMessage[];
  /** The turn's final message when the page held one. */
  final: BlocksMessage | undefined;
  /** The next cursor, as the server wrote it in `new_messages` (undefined: keep the old one). */
  gts: string | undefined;
}

/** Oldest first by (ts ?? created_at, id): the documented order is disputed (spec §5.4). */
export function byTimeThenId(a: BlocksMessage, b: BlocksMessage): number {
  const ta = messageTime(a);
  const tb = messageTime(b);
  if (ta !== tb) return ta - tb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The transport's options: the client's, with their defaults (declared once, in BLOCKS_CLIENT_DEFAULTS). */
function blocksTransportOptions(config: BlocksClientConfig, logger: Logger): Parameters<typeof createBlocksTransport>[0] {
  return {
    apiKey: config.apiKey,
    dispatcher: config.dispatcher,
    budget: config.budget,
    requestTimeoutMs: config.requestTimeoutMs ?? BLOCKS_CLIENT_DEFAULTS.requestTimeoutMs,
    maxRetries: config.maxRetries ?? BLOCKS_CLIENT_DEFAULTS.maxRetries,
    maxCreateResends: config.maxCreateResends ?? BLOCKS_CLIENT_DEFAULTS.maxCreateResends,
    backoffMs: config.backoffMs ?? BLOCKS_CLIENT_DEFAULTS.backoffMs,
    maxBackoffMs: config.maxBackoffMs ?? BLOCKS_CLIENT_DEFAULTS.maxBackoffMs,
    sendPriorityHeader: config.sendPriorityHeader ?? false,
    logger,
    random: config.random ?? Math.random,
  };
}

/** The turn's completion URL: the checked final_message link, else the session-level fallback. */
function finalUrlFor(
  baseUrl: URL,
  logger: Logger,
  sessionId: string,
  threadId: string | null,
  link: string | undefined,
  answersAfterGts?: string,
): { url: string; fallback: boolean } {
  if (link) return { url: link, fallback: false };
  logger.warn({ sessionId, threadId }, 'Blocks sent no usable final_message link; polling the session-level fallback');
  return { url: fallbackFinalMessageUrl(baseUrl, sessionId, threadId, answersAfterGts).toString(), fallback: true };
}

export function createSessionBody(input: CreateSessionInput, agents: ReturnType<typeof createAgentResolver>): Record<string, unknown> {
  const message = requireMessage(input.message);
  const selectors = (['agentName', 'agentId', 'profile'] as const).filter((key) => input[key] !== undefined);
  if (selectors.length !== 1) {
    throw new UserInputError(
      selectors.length === 0
        ? `Choose an agent: ${agents.validNames().join(', ')}, or an agent UUID.`
        : `Give only one of agentName, agentId or profile (got ${selectors.join(', ')}).`,
      'AGENT_SELECTOR',
    );
  }
  const body: Record<string, unknown> = { message };
  if (input.agentName !== undefined) {
    // An alias (or a UUID typed as a name) becomes agent_id; a core name stays agent_name.
    const agent = agents.resolve(input.agentName);
    if ('agentName' in agent) body.agent_name = agent.agentName;
    else body.agent_id = agent.agentId;
  }
  if (input.agentId !== undefined) body.agent_id = requireUuid(input.agentId, 'agentId');
  if (input.profile !== undefined) body.profile = requireProfile(input.profile);
  if (input.isPrivate !== undefined) body.is_private = input.isPrivate === true;
  if (input.title !== undefined && input.title.trim() !== '') body.title = input.title.trim().slice(0, BLOCKS_CLIENT_DEFAULTS.titleMaxLength);
  const artifactIds = artifactIdsOf(input.artifactIds);
  if (artifactIds) body.artifact_ids = artifactIds;
  if (input.sessionGroupId !== undefined) body.session_group_id = requireUuid(input.sessionGroupId, 'sessionGroupId');
  return body;
}

/** The URL of a session's messages query, every filter checked (a bad one is the person's input). */
export function sessionMessagesQuery(baseUrl: URL, input: Parameters<BlocksClient['listMessages']>[0]): URL {
  const sessionId = requireUuid(input.sessionId, 'session id');
  const threadId = input.threadId === undefined ? undefined : requireUuid(input.threadId, 'thread id');
  if (input.threaded && !threadId) throw new UserInputError('the threaded form needs a thread id', 'INVALID_QUERY');
  const url = sessionMessagesUrl(baseUrl, sessionId, input.threaded ? threadId : undefined);
  // Repeated keys, never a comma list (a comma list is a 422, spec §4.2).
  for (const type of input.types ?? []) {
    if (!ALLOWED_TYPES.has(type)) throw new UserInputError(`message type must be one of ${[...ALLOWED_TYPES].join(', ')}`, 'INVALID_QUERY');
    url.searchParams.append('type', type);
  }
  for (const role of input.roles ?? []) {
    if (!ALLOWED_ROLES.has(role)) throw new UserInputError(`role must be one of ${[...ALLOWED_ROLES].join(', ')}`, 'INVALID_QUERY');
    url.searchParams.append('role', role);
  }
  if (threadId && !input.threaded) url.searchParams.append('thread_id', threadId);
  if (input.gts !== undefined) {
    if (!GTS_PATTERN.test(input.gts)) throw new UserInputError('gts must be epoch seconds as read from a new_messages link', 'INVALID_QUERY');
    url.searchParams.append('gts', input.gts);
  }
  // The default order is disputed (spec §5.4 CONFLICT): always say which one we want.
  const direction = input.direction ?? BLOCKS_CLIENT_DEFAULTS.defaultDirection;
  if (direction !== 'asc' && direction !== 'desc') throw new UserInputError('direction must be asc or desc', 'INVALID_QUERY');
  url.searchParams.append('direction', direction);
  const page = positiveInt(input.page, 'page');
  const limit = positiveInt(input.limit, 'limit', 100);
  if (page !== undefined) url.searchParams.append('page', String(page));
  if (limit !== undefined) url.searchParams.append('limit', String(limit));
  return url;
}

/** The body of a follow-up, every field checked. */
export function followUpBody(input: Parameters<BlocksClient['sendFollowUp']>[1]): Record<string, unknown> {
  const json: Record<string, unknown> = { message: requireMessage(input.message) };
  const artifactIds = artifactIdsOf(input.artifactIds);
  if (artifactIds) json.artifact_ids = artifactIds;
  if (input.profile !== undefined) json.profile = requireProfile(input.profile);
  return json;
}

/** A follow-up's own `final_message` link, rebased on our origin; undefined when absent or refused (logged). */
function followUpFinalLink(object: Record<string, unknown>, baseUrl: URL, sessionId: string, logger: Logger): string | undefined {
  const href = asObject(asObject(object._links)?.final_message)?.href;
  if (typeof href !== 'string') return undefined;
  try {
    return rebaseBlocksLink(href, baseUrl, { sessionId }).url.toString();
  } catch (error) {
    logger.warn({ sessionId, err: error }, 'ignoring a follow-up final_message link that failed the origin/path check');
    return undefined;
  }
}

/**
 * The turn's newest final message in a page read from its final_message URL. Defensive
 * filters: the link should hold only this turn's final message, but a stored or fallback URL
 * may be broader. An empty `message` still means "done" (spec §10.4).
 */
export function newestTurnFinal(items: readonly BlocksMessage[], turn: Pick<BlocksTurn, 'threadId' | 'answersAfterGts'>): BlocksMessage | undefined {
  const thread = turn.threadId?.toLowerCase() ?? null;
  // A threadless turn: only what came after its follow-up (the server filters by `gts` too).
  const after = turn.answersAfterGts === undefined ? Number.NEGATIVE_INFINITY : Number(turn.answersAfterGts);
  const finals = items.filter((item) => item.type === 'final_message' && (thread === null || item.chatThreadId?.toLowerCase() === thread) && messageTime(item) > after);
  if (finals.length === 0) return undefined;
  return finals.reduce((newest, item) => (messageTime(item) > messageTime(newest) ? item : newest));
}

export function createBlocksClient(config: BlocksClientConfig): BlocksClient {
  const baseUrl = new URL(config.baseUrl);
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') throw new TypeError('blocks baseUrl must be an http(s) URL');
  if (!config.apiKey) throw new TypeError('blocks apiKey is required');
  registerSecret(config.apiKey);
  const logger = config.logger ?? silentLogger();
  const agents = createAgentResolver(config.agentAliases);
  const transport = createBlocksTransport(blocksTransportOptions(config, logger));

  async function send(call: Omit<BlocksCall, 'priority' | 'maxWaitMs' | 'signal' | 'onAdmitted'>, options: BlocksCallOptions | undefined, defaultPriority: BlocksCall['priority']) {
    const response = await transport.call({
      ...call,
      priority: options?.priority ?? defaultPriority,
      ...(options?.maxWaitMs !== undefined ? { maxWaitMs: options.maxWaitMs } : {}),
      ...(options?.signal ? { signal: options.signal } : {}),
      ...(options?.onAdmitted ? { onAdmitted: options.onAdmitted } : {}),
    });
    const ctx: NormalizeContext = { baseUrl, method: call.method, url: call.url, logger };
    return { body: response.body, ctx };
  }

  return {
    resolveAgent: (nameOrUuid) => agents.resolve(nameOrUuid),
    validAgentNames: () => agents.validNames(),

    async createSession(input, options) {
      const json = createSessionBody(input, agents);
      const url = apiUrl(baseUrl, '/rest/v1/sessions');
      const { body, ctx } = await send({ method: 'POST', url, json, label: 'blocks.createSession', resend: 'create' }, options, 'interactive');
      const session = normalizeSession(body, ctx);
      const final = finalUrlFor(baseUrl, logger, session.id, session.threadId, session.links.finalMessage);
      const turn: BlocksTurn = {
        sessionId: session.id,
        threadId: session.threadId,
        finalMessageUrl: final.url,
        finalMessageUrlIsFallback: final.fallback,
        createdAt: session.createdAt,
      };
      return { ...session, finalMessageUrl: final.url, turn };
    },

    async getSession(sessionId, options) {
      const id = requireUuid(sessionId, 'session id');
      const url = apiUrl(baseUrl, `/rest/v1/sessions/${id}`);
      const { body, ctx } = await send({ method: 'GET', url, label: 'blocks.getSession', resend: 'idempotent' }, options, 'interactive');
      return normalizeSession(body, ctx);
    },

    async sendFollowUp(sessionId, input, options) {
      const id = requireUuid(sessionId, 'session id');
      const json = followUpBody(input);
      const url = sessionMessagesUrl(baseUrl, id);
      const sentAtMs = Date.now();
      const { body, ctx } = await send({ method: 'POST', url, json, label: 'blocks.sendFollowUp', resend: 'never' }, options, 'interactive');
      const object = requireObject(body, ctx);
      const message = normalizeMessage(object, ctx);
      const link = followUpFinalLink(object, baseUrl, id, logger);
      // Neither a link nor a thread: the session-level list also holds the previous turns' answers.
      const answersAfterGts = link === undefined && message.chatThreadId === null ? followUpCursor(message, sentAtMs) : undefined;
      const final = finalUrlFor(baseUrl, logger, id, message.chatThreadId, link, answersAfterGts);
      return {
        sessionId: id,
        threadId: message.chatThreadId,
        finalMessageUrl: final.url,
        finalMessageUrlIsFallback: final.fallback,
        ...(answersAfterGts !== undefined ? { answersAfterGts } : {}),
        userMessageId: message.id,
        taskId: message.taskId,
        createdAt: message.createdAt,
      };
    },

    async listMessages(input, options) {
      const url = sessionMessagesQuery(baseUrl, input);
      const { body, ctx } = await send({ method: 'GET', url, label: 'blocks.listMessages', resend: 'idempotent' }, options, 'background');
      return normalizeMessagePage(body, ctx);
    },

    async pollFinalMessage(turn, options) {
      const sessionId = requireUuid(turn.sessionId, 'session id');
      // Re-checked on every use: the URL may come from storage, written under another config.
      const { url } = rebaseBlocksLink(turn.finalMessageUrl, baseUrl, { allow: ['messages'], sessionId });
      const { body, ctx } = await send({ method: 'GET', url, label: 'blocks.pollFinalMessage', resend: 'idempotent' }, options, 'background');
      return newestTurnFinal(normalizeMessagePage(body, ctx).items, turn);
    },

    async pollTurnItems(turn, gts, options) {
      const threadId = turn.threadId;
      if (!threadId) throw new UserInputError('a progress read needs the turn thread id', 'INVALID_QUERY');
      const url = sessionMessagesQuery(baseUrl, {
        sessionId: turn.sessionId,
        threadId,
        threaded: true,
        types: ['message', 'final_message', 'tool_call'],
        direction: 'asc',
        limit: 100,
        ...(gts !== undefined ? { gts } : {}),
      });
      const { body, ctx } = await send({ method: 'GET', url, label: 'blocks.pollTurnItems', resend: 'idempotent' }, options, 'background');
      const page = normalizeMessagePage(body, ctx);
      const thread = threadId.toLowerCase();
      const items = page.items.filter((item) => item.role === 'assistant' && item.chatThreadId?.toLowerCase() === thread).sort(byTimeThenId);
      const finals = items.filter((item) => item.type === 'final_message');
      return { items, final: finals.at(-1), gts: page.newMessagesGts };
    },

    async getArtifact(sessionId, artifactId, options) {
      const sid = requireUuid(sessionId, 'session id');
      const aid = requireUuid(artifactId, 'artifact id');
      const url = apiUrl(baseUrl, `/rest/v1/sessions/${sid}/artifacts/${aid}`);
      const { body, ctx } = await send({ method: 'GET', url, label: 'blocks.getArtifact', resend: 'idempotent' }, options, 'interactive');
      return normalizeArtifact(body, ctx);
    },
  };
}
