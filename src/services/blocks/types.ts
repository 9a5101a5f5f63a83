/**
 * Public types of the Blocks Sessions client (spec/blocks-api.md §5–§6). Wire objects are
 * snake_case JSON; these are the camelCase shapes the engines see, already normalised:
 * links rebased onto the configured origin, pull requests in one shape, ids as strings.
 */
import type { RequestPriority } from '../../ratelimit/types.js';

/** The kinds of message the API knows (§6.2). Unknown future kinds pass through as strings. */
export type BlocksMessageType = 'message' | 'final_message' | 'tool_call' | (string & {});
export type BlocksMessageRole = 'user' | 'assistant' | (string & {});
export type BlocksDirection = 'asc' | 'desc';

/**
 * One pull request the agent opened. The API sends either a string (a URL or an id) or an
 * object `{ url, status }` (spec §6.1 CONFLICT); both end up here.
 */
export interface BlocksPullRequest {
  /** Present when the entry is (or holds) an http(s) URL: render it as a link. */
  url?: string;
  /** What to show: the URL, or the raw string/id when it is not a URL. */
  label: string;
  /** e.g. `open`, `merged`, when the object form carries it. */
  status?: string;
}

/** Links of a session, already rebased onto the configured origin and path-checked. */
export interface BlocksSessionLinks {
  self?: string;
  messages?: string;
  thread?: string;
  finalMessage?: string;
}

/** A session as read from create or get (spec §6.1). */
export interface BlocksSession {
  id: string;
  title: string | null;
  pullRequests: BlocksPullRequest[];
  sourceUrl: string | null;
  isArchived: boolean;
  isPrivate: boolean;
  createdAt: string | null;
  updatedAt: string | null;
  /** First thread on create; always null on get. */
  threadId: string | null;
  /** Dashboard page for people. Opaque: post it as given, never fetch or build it. */
  sessionHtmlUrl: string | null;
  planArtifactIds: string[];
  sessionGroupId: string | null;
  links: BlocksSessionLinks;
}

/**
 * One agent turn: what the engine stores to poll for the reply. Persistable as JSON;
 * `pollFinalMessage` re-checks `finalMessageUrl` before every use, so a stored value that
 * was tampered with, or saved before a config change of origin, cannot leak the key.
 */
export interface BlocksTurn {
  sessionId: string;
  /** The turn's thread (`thread_id` on create, `chat_thread_id` on follow-up); null if the API gave none. */
  threadId: string | null;
  /** Cursor-less completion URL on the configured origin (the rebased `_links.final_message`, or our fallback). */
  finalMessageUrl: string;
  /** True when the API sent no usable final_message link and the URL was built by us. */
  finalMessageUrlIsFallback: boolean;
  /**
   * Set only for a follow-up Blocks answered with neither a thread id nor a final_message
   * link: the session-level fallback then also holds every earlier turn's answer, so only a
   * final message after this `gts` cursor (epoch seconds, the follow-up's own creation) is
   * this turn's answer.
   */
  answersAfterGts?: string;
  /** The user message that opened the turn (follow-ups only). */
  userMessageId?: string;
  taskId?: string | null;
  createdAt?: string | null;
}

/** Result of `createSession`: the session plus its first turn. */
export interface BlocksCreatedSession extends BlocksSession {
  finalMessageUrl: string;
  turn: BlocksTurn;
}

/** A message (spec §6.2). */
export interface BlocksMessage {
  id: string;
  chatId: string | null;
  /** null marks a system notice (sandbox lifecycle etc.), not conversation: skip it. */
  chatThreadId: string | null;
  taskId: string | null;
  role: BlocksMessageRole;
  type: BlocksMessageType;
  message: string;
  /** Epoch seconds, possibly fractional, or null (usual for user prompts). */
  ts: number | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface BlocksPageMeta {
  total: number;
  page: number;
  limit: number;
  totalPages: number;
}

export interface BlocksMessagePage {
  items: BlocksMessage[];
  meta: BlocksPageMeta;
  /**
   * The `gts` cursor from `_links.new_messages.href`, kept as the exact string the server
   * wrote (re-serialising a float may change it). Pass it back as `gts` with your own filters.
   */
  newMessagesGts?: string;
}

/** Artifact metadata (spec §5.5). `url` is presigned: fetch it WITHOUT our Authorization header. */
export interface BlocksArtifact {
  id: string;
  url: string | null;
  fileName: string | null;
  filePath: string | null;
  fileSizeInKb: number | null;
  mimeType: string | null;
  kind: string | null;
  planId: string | null;
  createdAt: string | null;
}

/** Per-call options. */
export interface BlocksCallOptions {
  /** Overrides the method's default priority in the rate budget. */
  priority?: RequestPriority;
  /** Give up waiting for a budget slot after this long. */
  maxWaitMs?: number;
  signal?: AbortSignal;
  /**
   * Runs after the rate budget granted a slot and before the request's bytes leave, once per
   * attempt: the place for one durable "sending" mark (the budget leaves room for it). When it
   * throws, nothing is sent.
   */
  onAdmitted?: () => Promise<void>;
}

/** Input of `createSession`: exactly one of agentName / agentId / profile. */
export interface CreateSessionInput {
  message: string;
  /** A core agent name (case-insensitive), a configured alias, or a UUID. */
  agentName?: string;
  agentId?: string;
  /** Passed through untouched (its shape is undocumented); the operator configures it. */
  profile?: Record<string, unknown>;
  isPrivate?: boolean;
  /** Capped at 200 characters, as the official Action does. */
  title?: string;
  artifactIds?: string[];
  sessionGroupId?: string;
}

export interface FollowUpInput {
  message: string;
  artifactIds?: string[];
  profile?: Record<string, unknown>;
}

export interface ListMessagesInput {
  sessionId: string;
  /** Thread to read. Sent as `thread_id` on the session-level URL, or as a path segment when `threaded`. */
  threadId?: string;
  /** Use `/threads/{threadId}/messages` instead of the session-level URL (needs threadId). */
  threaded?: boolean;
  /** Repeated on the wire (`type=message&type=final_message`), never comma-joined. */
  types?: BlocksMessageType[];
  roles?: BlocksMessageRole[];
  /** Cursor string exactly as read from a `new_messages` link. */
  gts?: string;
  /** Always sent; defaults to `asc`. */
  direction?: BlocksDirection;
  page?: number;
  limit?: number;
}

/** Result of resolving a person's agent token. */
export type ResolvedAgent = { agentName: string } | { agentId: string };
