/**
 * Whether an edit is news. Discord sends MESSAGE_UPDATE for more than edits (an unfurl
 * adding embeds, a pin: both keep the old `edited_timestamp`), and a gateway RESUME or a
 * Slack retry delivers the same edit again. An edit is sent on only when what it would
 * render differs from what was last sent, which the mirror keeps with the message's send
 * progress in the store (so it holds across restarts).
 */

/**
 * True when `next` (the contents an edit would send, one per Fluxra message; fewer when the
 * rest is to be deleted) differs from `lastSent` (`''` for a part already deleted).
 * Nothing known about what was sent: it is news.
 */
export function editChangesText(lastSent: readonly string[] | undefined, next: readonly string[]): boolean {
  if (lastSent === undefined) return true;
  const length = Math.max(lastSent.length, next.length);
  for (let index = 0; index < length; index++) if ((lastSent[index] ?? '') !== (next[index] ?? '')) return true;
  return false;
}
