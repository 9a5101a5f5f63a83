/**
 * How a person's platform message reads elsewhere: in Fluxra as one attributed text
 * (`mirror.attributionFormat`, default `[{name} · {platform}] {text}`), split into parts
 * that each fit Fluxra's content limit; on the other platform as the same text posted
 * under the person's name ("Alice (Slack)"), where the post's name already attributes it.
 */
import type { Attachment, PlatformName } from '../core/chat.js';
import { splitMessage } from '../format/split.js';

/**
 * Where a mirrored message was written: a chat platform, or `blocks` for what an agent wrote
 * in an agent thread (the bridge posted it for the agent: see `agent-posts.ts`).
 */
export type MessageSource = PlatformName | 'blocks';

const SOURCE_LABELS: Readonly<Record<MessageSource, string>> = { slack: 'Slack', discord: 'Discord', blocks: 'Blocks' };

/** The label people see for a source: `Slack`, `Discord`, `Blocks`. */
export function platformLabel(source: MessageSource): string {
  return SOURCE_LABELS[source];
}

export interface AttributionInput {
  name: string;
  platform: MessageSource;
  text: string;
}

/**
 * Fills the template in one pass, so that a name or text that itself contains `{text}`
 * or `{name}` is inserted literally and never expanded a second time.
 */
export function formatAttribution(format: string, input: AttributionInput): string {
  const values: Record<string, string> = { name: input.name, platform: platformLabel(input.platform), text: input.text };
  return format.replace(/\{(name|platform|text)\}/g, (_match, key: string) => values[key] ?? '');
}

/** The message text with its attachments appended as links, one per line. */
export function textWithAttachments(text: string, attachments: readonly Attachment[]): string {
  if (attachments.length === 0) return text;
  const links = attachments.map((attachment) => (attachment.name ? `[${escapeLinkText(attachment.name)}](${attachment.url})` : attachment.url));
  return text.trim() === '' ? links.join('\n') : `${text}\n${links.join('\n')}`;
}

function escapeLinkText(name: string): string {
  return name.replace(/([\\[\]])/g, '\\$1');
}

/**
 * The Fluxra contents of one message, in order. The text is split so that every part,
 * attributed, fits `maxLength`; each part carries the attribution, because each is a
 * message of its own in Fluxra and is read on its own. Blank text gives no parts.
 */
export function fluxraParts(format: string, input: AttributionInput, maxLength: number): string[] {
  const whole = formatAttribution(format, input);
  if (input.text.trim() === '') return [];
  if (whole.length <= maxLength) return [whole];
  const overhead = formatAttribution(format, { ...input, text: '' }).length;
  const room = maxLength - overhead;
  if (room < 100) throw new RangeError(`attribution leaves ${room} characters of ${maxLength} for the text`);
  return splitMessage(input.text, room).map((part) => formatAttribution(format, { ...input, text: part }));
}

/** The name a cross-posted copy is posted under: `Alice (Slack)`, `claude (Blocks)`. */
export function crossPostName(name: string, platform: MessageSource): string {
  return `${name} (${platformLabel(platform)})`;
}

/**
 * Fits new contents into the number of Fluxra messages the original used (a new message
 * cannot be inserted in the middle of the conversation): extra text joins the last part,
 * cut with an ellipsis at the limit; fewer parts leave the rest to be deleted.
 */
export function fitInto(contents: readonly string[], slots: number, maxLength: number): string[] {
  if (contents.length <= slots) return [...contents];
  const kept = contents.slice(0, slots - 1);
  const rest = contents.slice(slots - 1).join('\n');
  kept.push(rest.length <= maxLength ? rest : `${rest.slice(0, maxLength - 1)}…`);
  return kept;
}
