/**
 * Editing a message that is (or becomes) several platform messages. Each existing part is
 * edited to the new text's part of the same index; parts it needs beyond those that exist
 * are posted after the last one (in the same thread, or top-level) through `postOnce`, so
 * that a retried edit posts them only once. Nothing of the new text is dropped. Parts a
 * shorter text no longer needs are left as they are (logged): the message map keeps no way
 * to forget one part, and a later edit of a deleted part would fail for good.
 */
import type { ChatAdapter, MessageRef, OutboundMessage } from '../core/chat.js';
import { channelKey } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../store/index.js';
import { postOnce } from './post-once.js';

export interface EditSplitInput {
  store: Store;
  adapter: ChatAdapter;
  /** The platform messages of one copy in one channel, in post order (at least one). */
  parts: readonly MessageRef[];
  message: OutboundMessage;
  /** Names the copy (its `postKey`): the posts of added parts are keyed from it. */
  key: string;
  logger: Logger;
}

/** A message's copies grouped by channel, each group in post order (the parts of one split copy). */
export function partsByChannel(copies: readonly MessageRef[]): MessageRef[][] {
  const groups = new Map<string, MessageRef[]>();
  for (const copy of copies) {
    const channel = channelKey(copy);
    const group = groups.get(channel);
    if (group) group.push(copy);
    else groups.set(channel, [copy]);
  }
  return [...groups.values()];
}

/** The key of the posts that extend a copy of `key` that had `existing` parts. */
export function addedPartsKey(key: string, existing: number): string {
  return `${key}#from-part-${existing}`;
}

/** Edits every part of a split copy to `message`; returns the parts it had to add (to record with the copy). */
export async function editSplit(input: EditSplitInput): Promise<MessageRef[]> {
  const { adapter, parts, message, logger } = input;
  const first = parts[0];
  if (!first) return [];
  const { parts: needed } = await adapter.edit(first, message, { part: 0 });
  for (let index = 1; index < Math.min(needed, parts.length); index += 1) {
    await adapter.edit(parts[index] as MessageRef, message, { part: index });
  }
  if (needed < parts.length) logger.warn({ messageId: first.messageId, parts: needed, kept: parts.length }, 'edit made the message shorter; its later parts keep their old text');
  if (needed <= parts.length) return [];
  const added = await postOnce({
    store: input.store,
    adapter,
    channel: first,
    message,
    options: { ...(first.threadRootId ? { threadRootId: first.threadRootId } : {}), fromPart: parts.length },
    key: addedPartsKey(input.key, parts.length),
  });
  logger.info({ messageId: first.messageId, parts: needed, added: added.length }, 'edit made the message longer; posted the extra parts after it');
  return added;
}
