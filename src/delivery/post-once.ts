/**
 * Exactly-once platform posts across a crash.
 *
 * Slack and Discord accept no idempotency key for the posts we make, so "post, then record"
 * has a gap: a crash after the post and before the record would post again on restart.
 * `postOnce` closes it with an intent written BEFORE posting:
 *
 *   result known for the key?         → return it (already delivered)
 *   intent for the key exists?        → a previous attempt may have posted: ask the adapter
 *                                       to find our post (`findOwnPost`) since the intent
 *                                       started; found and not claimed by another key → post
 *                                       the parts still missing (a split post that failed
 *                                       part-way), then record them all
 *   otherwise                         → write the intent, post, record the result over the intent
 *
 * Intent and result are one record per key (in `POST_RESULTS_NAMESPACE`: an intent until the
 * result replaces it), so a fresh post costs one read (a single query for the record and a
 * legacy intent, below) and three writes: intent, claim, result. Releases before this one
 * kept intents in `POST_INTENTS_NAMESPACE` and deleted them after the result; such an intent
 * left by a crash before an upgrade is still read and reconciled (then deleted), and results
 * they wrote read as results here.
 *
 * The result (the refs of every part) lives under the key for `resultTtlMs` (≥ 1 hour), and
 * each first-part ref is "claimed" by its key, so that two messages with the same text (an
 * agent saying "ok" twice) are never taken for one another.
 *
 * Edits and deletes need none of this: editing to the same text again and deleting what is
 * already gone (both adapters treat "not found" as done) are harmless repeats.
 *
 * Callers serialise calls per key (the Fluxra poller delivers one conversation at a time);
 * two concurrent calls with one key may both post.
 */
import type { ChannelRef, ChatAdapter, MessageRef, OutboundMessage, PostOptions } from '../core/chat.js';
import { describeError, UpstreamError } from '../core/errors.js';
import { channelKey, messageKey, toChannelRef } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../store/index.js';

/** Written before a post is attempted. */
export interface PostIntent {
  key: string;
  channel: ChannelRef;
  /** Epoch ms of the first attempt. */
  startedAt: number;
}

/** What a finished post left behind. */
export interface PostResult {
  refs: MessageRef[];
  /** `posted`: this call (or an earlier one) posted; `found`: recovered from history. */
  how: 'posted' | 'found';
  at: number;
}

export interface PostOnceInput {
  store: Store;
  adapter: ChatAdapter;
  channel: ChannelRef;
  message: OutboundMessage;
  options?: PostOptions;
  /** Names the post: the same key is posted at most once (e.g. Fluxra message id + channel). */
  key: string;
  /** How long the result is remembered. Default and minimum: see `POST_ONCE_DEFAULTS`. */
  resultTtlMs?: number;
  /** Platform clocks and ours may differ: history is searched from this long before the intent. */
  clockSkewMs?: number;
  now?: () => number;
}

export interface PostOnceOutcome {
  refs: MessageRef[];
  /**
   * `posted` now, `found` in history after a lost record, `resumed`: the first parts found
   * in history and the rest posted now, `known` from an earlier call.
   */
  how: 'posted' | 'found' | 'resumed' | 'known';
}

export const POST_ONCE_DEFAULTS = {
  /** A day: far beyond any retry of one delivery; the message map keeps the refs longer. */
  resultTtlMs: 24 * 60 * 60_000,
  minResultTtlMs: 60 * 60_000,
  /** An abandoned intent (its link removed) is forgotten after a week. */
  intentTtlMs: 7 * 24 * 60 * 60_000,
  clockSkewMs: 5_000,
} as const;

/** Legacy: where intents lived before they shared the result's record (read, never written). */
export const POST_INTENTS_NAMESPACE = 'post-intents';
/** One record per key: a `PostIntent` until the post is recorded, then its `PostResult`. */
export const POST_RESULTS_NAMESPACE = 'post-results';
export const POST_CLAIMS_NAMESPACE = 'post-claims';

/** The key of one post of one logical message into one channel. */
export function postKey(messageId: string, channel: ChannelRef): string {
  return `${messageId}@${channelKey(channel)}`;
}

/** Posts `message` at most once per `key`, surviving a crash between post and record. */
export async function postOnce(input: PostOnceInput): Promise<MessageRef[]> {
  return (await postOnceDetailed(input)).refs;
}

/** `postOnce`, also saying how the refs were obtained (for logs and tests). */
export async function postOnceDetailed(input: PostOnceInput): Promise<PostOnceOutcome> {
  const { store, adapter, key, message } = input;
  const now = input.now ?? Date.now;
  const resultTtlMs = Math.max(input.resultTtlMs ?? POST_ONCE_DEFAULTS.resultTtlMs, POST_ONCE_DEFAULTS.minResultTtlMs);
  const legacyIntents = store.kv<PostIntent>(POST_INTENTS_NAMESPACE);
  const records = store.kv<PostRecord>(POST_RESULTS_NAMESPACE);
  const claims = store.kv<string>(POST_CLAIMS_NAMESPACE);
  const channel = toChannelRef(input.channel);
  const threadRootId = input.options?.threadRootId;

  const [record, legacyIntent] = await records.getWith(key, legacyIntents, key);
  if (record !== undefined && isResult(record)) return { refs: record.refs, how: 'known' };

  const finish = async (refs: MessageRef[], how: PostResult['how']): Promise<PostOnceOutcome> => {
    const first = refs[0];
    // Claim before the result: a crash between the two leaves the intent, and reconciling it
    // finds the post claimed by this very key. The other way round, a post with the same text
    // under another key could take this one's unclaimed post for its own.
    if (first) await claims.set(messageKey(first), key, { ttlMs: resultTtlMs });
    await records.set(key, { refs, how, at: now() }, { ttlMs: resultTtlMs });
    if (legacyIntent !== undefined) await legacyIntents.delete(key);
    return { refs, how };
  };

  const intent = record ?? legacyIntent;
  if (intent) {
    const sinceMs = intent.startedAt - (input.clockSkewMs ?? POST_ONCE_DEFAULTS.clockSkewMs);
    const fromPart = input.options?.fromPart ?? 0;
    const found = await adapter.findOwnPost(channel, message, { ...(threadRootId ? { threadRootId } : {}), sinceMs, fromPart });
    const first = found?.[0];
    if (found && first) {
      const owner = await claims.get(messageKey(first));
      if (owner === undefined || owner === key) {
        // A split post that failed part-way left its first parts: post the rest after them
        // (nothing when all are there), so that every part exists exactly once, in order.
        const rest = await adapter.post(channel, message, { ...input.options, fromPart: fromPart + found.length });
        if (rest.length === 0) return finish(found, 'found');
        await finish([...found, ...rest], 'posted');
        return { refs: [...found, ...rest], how: 'resumed' };
      }
    }
  } else {
    await records.set(key, { key, channel, startedAt: now() }, { ttlMs: POST_ONCE_DEFAULTS.intentTtlMs });
  }

  const refs = await adapter.post(channel, message, input.options);
  return finish(refs, 'posted');
}

type PostRecord = PostIntent | PostResult;

function isResult(record: PostRecord): record is PostResult {
  return Array.isArray((record as Partial<PostResult>).refs);
}

/** The recorded result of `key`, if any (the poller uses it to skip work already done). */
export async function knownPost(store: Store, key: string): Promise<MessageRef[] | undefined> {
  const record = await store.kv<PostRecord>(POST_RESULTS_NAMESPACE).get(key);
  return record !== undefined && isResult(record) ? record.refs : undefined;
}

/*
 * One copy of a mirrored message into one channel, as both directions make them (agents'
 * messages from Fluxra, people's messages cross-posted to the other platform): through
 * `postOnce`, in the wanted thread. When the platform refuses for good, and only for this
 * copy (channel deleted, access lost, thread root gone), the copy goes top-level instead of
 * in its thread, or is skipped with an error in the log: one broken channel must not hold
 * up the others, or the later messages of its queue, forever.
 */

const AUTH_CODES = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive']);

/** A refusal that retrying cannot fix and that concerns this copy only (not our credentials). */
export function isPermanentForCopy(error: unknown): boolean {
  if (!(error instanceof UpstreamError) || error.retryable) return false;
  if (error.service !== 'slack' && error.service !== 'discord') return false;
  if (error.status === 401) return false;
  return !(error.detail !== undefined && AUTH_CODES.has(error.detail));
}

export interface CopyPostInput {
  store: Store;
  adapter: ChatAdapter;
  channel: ChannelRef;
  message: OutboundMessage;
  /** The thread to post in, when the copy answers a message that has a copy here. */
  threadRootId?: string;
  /** Names the post for `postOnce`. */
  key: string;
  logger: Logger;
  /** What the log lines say the copy is of (e.g. `{ messageId }`). */
  about: Record<string, unknown>;
  now?: () => number;
}

/** The copy's refs, or undefined when the platform refused it for good (logged). Other failures are thrown. */
export async function postCopyOrSkip(input: CopyPostInput): Promise<MessageRef[] | undefined> {
  const { logger, about } = input;
  const channel = channelKey(input.channel);
  const post = (thread: string | undefined) =>
    postOnce({
      store: input.store,
      adapter: input.adapter,
      channel: input.channel,
      message: input.message,
      options: thread ? { threadRootId: thread } : {},
      key: input.key,
      ...(input.now ? { now: input.now } : {}),
    });
  try {
    return await post(input.threadRootId);
  } catch (error) {
    if (!isPermanentForCopy(error)) throw error;
    if (input.threadRootId) {
      // The thread's root may be gone: the message still belongs in the channel.
      logger.warn({ ...about, channel, err: describeError(error) }, 'message could not go in its thread; posting it top-level');
      try {
        return await post(undefined);
      } catch (retryError) {
        if (!isPermanentForCopy(retryError)) throw retryError;
        error = retryError;
      }
    }
    logger.error({ ...about, channel, err: describeError(error) }, 'platform refused a mirrored message; this copy is skipped');
    return undefined;
  }
}
