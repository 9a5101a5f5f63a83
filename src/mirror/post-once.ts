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
 *                                       started; found and not claimed by another key → record it
 *   otherwise                         → write the intent, post, record the result, clear the intent
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
import type { ChannelRef, ChatAdapter, MessageRef, OutboundMessage, PostOptions } from '../platforms/types.js';
import type { Store } from '../store/index.js';
import { channelKey, messageKey, toChannelRef } from '../store/keys.js';

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
  /** `posted` now, `found` in history after a lost record, `known` from an earlier call. */
  how: 'posted' | 'found' | 'known';
}

export const POST_ONCE_DEFAULTS = {
  /** A day: far beyond any retry of one delivery; the message map keeps the refs longer. */
  resultTtlMs: 24 * 60 * 60_000,
  minResultTtlMs: 60 * 60_000,
  /** An abandoned intent (its link removed) is forgotten after a week. */
  intentTtlMs: 7 * 24 * 60 * 60_000,
  clockSkewMs: 5_000,
} as const;

export const POST_INTENTS_NAMESPACE = 'post-intents';
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
  const intents = store.kv<PostIntent>(POST_INTENTS_NAMESPACE);
  const results = store.kv<PostResult>(POST_RESULTS_NAMESPACE);
  const claims = store.kv<string>(POST_CLAIMS_NAMESPACE);
  const channel = toChannelRef(input.channel);
  const threadRootId = input.options?.threadRootId;

  const known = await results.get(key);
  if (known) return { refs: known.refs, how: 'known' };

  const finish = async (refs: MessageRef[], how: PostResult['how']): Promise<PostOnceOutcome> => {
    const first = refs[0];
    if (first) await claims.set(messageKey(first), key, { ttlMs: resultTtlMs });
    await results.set(key, { refs, how, at: now() }, { ttlMs: resultTtlMs });
    await intents.delete(key);
    return { refs, how };
  };

  const intent = await intents.get(key);
  if (intent) {
    const sinceMs = intent.startedAt - (input.clockSkewMs ?? POST_ONCE_DEFAULTS.clockSkewMs);
    const found = await adapter.findOwnPost(channel, message, { ...(threadRootId ? { threadRootId } : {}), sinceMs });
    const first = found?.[0];
    if (found && first) {
      const owner = await claims.get(messageKey(first));
      if (owner === undefined || owner === key) return finish(found, 'found');
    }
  } else {
    await intents.set(key, { key, channel, startedAt: now() }, { ttlMs: POST_ONCE_DEFAULTS.intentTtlMs });
  }

  const refs = await adapter.post(channel, message, input.options);
  return finish(refs, 'posted');
}

/** The recorded result of `key`, if any (the poller uses it to skip work already done). */
export async function knownPost(store: Store, key: string): Promise<MessageRef[] | undefined> {
  return (await store.kv<PostResult>(POST_RESULTS_NAMESPACE).get(key))?.refs;
}
