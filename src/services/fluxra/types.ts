/**
 * Public types of the Fluxra client: camelCase views of the wire objects (spec §3–§6, §10)
 * and the client's options. Wire names stay inside `wire.ts`.
 */
import type { Dispatcher } from 'undici';
import type { Logger } from '../../core/logger.js';
import type { RateBudget, RequestPriority } from '../../ratelimit/types.js';
import type { FluxraRouteName, RouteDefinition } from './routes.js';

/** Longest `content` Fluxra accepts, counted here in UTF-16 code units (`string.length`). */
export const FLUXRA_MAX_CONTENT_LENGTH = 10_000;

/** Most agent IDs one message may mention. */
export const FLUXRA_MAX_MENTIONS = 50;

/** Per-call options shared by every Bearer endpoint. */
export interface FluxraCallOptions {
  /** Who waits for this call; decides its place in the rate budget. Default `interactive`. */
  priority?: RequestPriority;
  /** Cancels the call (and any wait for a retry). */
  signal?: AbortSignal;
}

/** Options of `createFluxraClient`. Most map one to one onto the `fluxra` config section. */
export interface FluxraClientOptions {
  /** Service origin without a trailing slash, e.g. `https://chat.tryfluxra.com`. */
  baseUrl: string;
  /** The bridge agent (`agt_…`); needed, with `apiKey`, for every Bearer call. */
  agentId?: string;
  /** The bridge's API key (`sk_…`), exchanged for short-lived JWTs. */
  apiKey?: string;
  /** undici transport: a real `Agent` in production, the same pointed at a fake in tests. */
  dispatcher: Dispatcher;
  /** Route overrides from config, merged over the defaults by `resolveFluxraRoutes`. */
  routes?: Partial<Record<FluxraRouteName, Partial<RouteDefinition>>>;
  /** Deadline of one HTTP attempt (connect, headers, body). */
  requestTimeoutMs: number;
  /** JWT lifetime assumed when neither the token response nor the JWT says. */
  tokenLifetimeFallbackSeconds: number;
  /** Renew the JWT this long before it expires. */
  renewBeforeExpirySeconds: number;
  /** When given, every HTTP attempt runs inside `budget.schedule`, and a 429 pauses it. */
  budget?: RateBudget;
  /** Extra attempts after the first for retryable failures. Default 2. */
  maxRetries?: number;
  /** Wait after a 429 that carries no Retry-After. Default 2000 (config `fluxra.rateLimit.backoffMs`). */
  rateLimitBackoffMs?: number;
  /** First wait before retrying a network failure or a 5xx; doubles each time. Default 250. */
  retryBackoffMs?: number;
  /**
   * Longest wait the client accepts inside one call. A 429 asking for longer is thrown as a
   * `RateLimitedError` at once, so that callers (pollers, outbox) can reschedule instead of
   * holding a request open. Default 30000.
   */
  maxRetryWaitMs?: number;
  /** Safety stop for the all-pages helpers (`readMessagesSince`, `listBlocks`). Default 100. */
  maxPages?: number;
  logger?: Logger;
  /** Clock for token expiry and Retry-After dates (epoch ms). Default `Date.now`. */
  now?: () => number;
}

export interface FluxraHealth {
  status: string;
  timestamp: string;
  version: string;
}

export interface FluxraRegistration {
  agentId: string;
  agentName: string;
  /** Shown once by the server: store it offline at once. */
  recoveryKey: string;
  createdAt: string;
  warning?: string;
}

export interface FluxraApiKey {
  keyId: string;
  name: string;
  /** Shown once by the server. */
  apiKey: string;
  scopes: string[];
  expiresAt: string | null;
  createdAt: string;
}

export interface FluxraToken {
  accessToken: string;
  /** Epoch ms at which the server stops accepting the token (best knowledge). */
  expiresAt: number;
}

export interface FluxraConversation {
  conversationId: string;
  type: string;
  name: string;
  memberIds: string[];
  createdAt: string;
}

/** The answer to a send (spec §5.1). */
export interface FluxraSentMessage {
  messageId: string;
  conversationId: string;
  senderId: string;
  content: string;
  type: string;
  /** `sent` today; other values are passed through. */
  status: string;
  createdAt: string;
}

/** A message as read back from a conversation (spec §10.2). */
export interface FluxraMessage {
  messageId: string;
  conversationId: string;
  senderId: string;
  senderName?: string;
  /** Empty when `deleted`. */
  content: string;
  type: string;
  inReplyTo: string | null;
  mention: string[];
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
}

export interface FluxraBlock {
  blockId: string;
  /** What the server stored: `group` or `agent`. */
  targetType: string;
  targetId: string;
  createdAt: string;
}

export interface FluxraSendInput {
  conversationId: string;
  content: string;
  type?: 'text' | 'command' | 'system';
  inReplyTo?: string;
  mention?: string[];
}

export interface FluxraDirectSendInput {
  recipientAgentId: string;
  content: string;
  type?: 'text' | 'command' | 'system';
  mention?: string[];
}

export interface FluxraMessagePage {
  messages: FluxraMessage[];
  /** Where to resume; present even on a last page when the server gave one. */
  cursor: string | undefined;
  /** True only when the server said so AND gave a cursor to continue from. */
  hasMore: boolean;
}

/** One method per Fluxra endpoint the bridge uses. Errors: see `FluxraApiError`. */
export interface FluxraClient {
  /** `GET /health` (public, no `/api` prefix). */
  health(): Promise<FluxraHealth>;
  /** `POST /api/auth/register` (public). Provisioning only. */
  register(input: { agentName: string; email?: string; metadata?: Record<string, unknown> }): Promise<FluxraRegistration>;
  /** `POST /api/agents/{agent_id}` with Basic `agent_id:recovery_key`. Provisioning only. */
  createApiKey(input: { agentId: string; recoveryKey: string; name: string; scopes?: string[]; expiresInDays?: number }): Promise<FluxraApiKey>;
  /** Exchanges the API key for a fresh JWT now (joining one already under way) and caches it. */
  exchangeToken(): Promise<FluxraToken>;
  /**
   * The cached JWT while it is not due for renewal, else one exchange (joining one under way).
   * For probes such as /readyz: they must not mint a token per call.
   */
  validToken(): Promise<FluxraToken>;
  createConversation(input: { name: string; memberIds?: string[]; type?: string }, options?: FluxraCallOptions): Promise<FluxraConversation>;
  /** Never retried after a timeout or 5xx: the API has no idempotency key (spec §2.7). */
  sendMessage(input: FluxraSendInput, options?: FluxraCallOptions): Promise<FluxraSentMessage>;
  /** DM shorthand (`recipient_agent_id`); the server finds or creates the 1:1 conversation. */
  sendDirectMessage(input: FluxraDirectSendInput, options?: FluxraCallOptions): Promise<FluxraSentMessage>;
  /** One page. Without `cursor` the server returns the newest page. */
  listMessages(input: { conversationId: string; cursor?: string; limit?: number }, options?: FluxraCallOptions): Promise<FluxraMessagePage>;
  /** Every page after `cursor`; `cursor` of the result is where to resume next time. */
  readMessagesSince(
    input: { conversationId: string; cursor?: string; limit?: number },
    options?: FluxraCallOptions,
  ): Promise<{ messages: FluxraMessage[]; cursor: string | undefined }>;
  editMessage(messageId: string, content: string, options?: FluxraCallOptions): Promise<FluxraMessage>;
  deleteMessage(messageId: string, options?: FluxraCallOptions): Promise<void>;
  createBlock(input: { type: 'agent' | 'group'; targetId: string }, options?: FluxraCallOptions): Promise<FluxraBlock>;
  /** All pages. */
  listBlocks(options?: FluxraCallOptions): Promise<FluxraBlock[]>;
  deleteBlock(blockId: string, options?: FluxraCallOptions): Promise<void>;
}
