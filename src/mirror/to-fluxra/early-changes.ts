/**
 * Edits and deletes that arrive before their message. When a message's first delivery fails
 * and Slack's retry lands after the person already edited or deleted it, the change comes
 * first: it is remembered (in the store, for a while) and applied when the message arrives,
 * so that the mirror shows the edited text, or nothing at all for a deleted message.
 */
import type { InboundDelete, InboundEdit, InboundMessage } from '../../core/chat.js';
import { messageKey } from '../../core/keys.js';
import type { Store } from '../../store/index.js';

export const EARLY_CHANGES_NAMESPACE = 'mirror-early-changes';
/** Covers Slack's retries of a failed delivery (at once, after a minute, after five) with room to spare. */
export const EARLY_CHANGE_TTL_MS = 15 * 60_000;

export type EarlyChange = { kind: 'edit'; text: string; attachments: InboundEdit['attachments'] } | { kind: 'delete' };

/** What the message becomes with the change that came first: its edited form, or undefined when it was deleted. */
export function withEarlyChange<T extends InboundMessage>(message: T, change: EarlyChange | undefined): T | undefined {
  if (change === undefined) return message;
  if (change.kind === 'delete') return undefined;
  return { ...message, text: change.text, attachments: change.attachments };
}

export function createEarlyChanges(store: Store, ttlMs = EARLY_CHANGE_TTL_MS) {
  const changes = store.kv<EarlyChange>(EARLY_CHANGES_NAMESPACE);
  return {
    /** Keeps a change of a message not seen yet; a delete wins over any edit. */
    async remember(item: InboundEdit | InboundDelete): Promise<void> {
      const key = messageKey(item.ref);
      if (item.kind === 'edit' && (await changes.get(key))?.kind === 'delete') return;
      const change: EarlyChange = item.kind === 'edit' ? { kind: 'edit', text: item.text, attachments: item.attachments } : { kind: 'delete' };
      await changes.set(key, change, { ttlMs });
    },
    /** The change remembered for `message`, if any. */
    find: (message: InboundMessage): Promise<EarlyChange | undefined> => changes.get(messageKey(message.ref)),
    /** Forgets it once the message is delivered (or dropped as deleted). */
    async forget(message: InboundMessage): Promise<void> {
      await changes.delete(messageKey(message.ref));
    },
  };
}
