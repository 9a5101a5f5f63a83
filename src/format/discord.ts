/**
 * Conversion between Discord markdown and the bridge's neutral markdown
 * (CommonMark + GFM strikethrough, mention tokens as in `mentions.ts`).
 *
 * Most syntax is shared (bold, italic, `~~strike~~`, code, fences, `>` quotes, `[text](url)`
 * links), so both directions edit the source in place and only touch what differs:
 *
 * - `__text__` is *underline* on Discord but *bold* in CommonMark. Neutral markdown has no
 *   underline, so Discord underline arrives as emphasis (`*text*`): the words stay stressed
 *   and no platform shows stray underscores. Neutral `__bold__` leaves as `**bold**`.
 * - `||spoiler||` has no neutral equivalent. It is kept verbatim both ways: plain text to
 *   CommonMark (no escaping needed), a spoiler again on Discord, and on Slack the bars
 *   still tell a reader that the author meant to hide it.
 * - Mentions (see mentions.ts): inbound, `<@ID>` / `<@!ID>`, `<@&ID>` and `<#ID>` become
 *   mention tokens named as the message resolved them (`DiscordNames`); one it did not
 *   resolve reads `@unknown-user` (as Discord shows it). Any other `<@…>`, `<#…>`, `<!…>`
 *   (Slack syntax typed on Discord) is made inert. Outbound, Discord tokens become live
 *   mentions again, other platforms' tokens plain names; a raw `<@ID>` not written as a
 *   token is made inert, and the adapter's `allowed_mentions` lists only the token users.
 * - Outbound, `@everyone` and `@here` get a zero-width space after the `@` so that even a
 *   client that ignored `allowed_mentions` would not render them as mass pings.
 * - Discord-only inbound syntax: `>>> ` (quote the rest of the message) becomes `> ` on each
 *   line; custom emoji `<:name:ID>` / `<a:name:ID>` become `:name:`.
 * - Neutral images (`![alt](url)`) leave as the bare URL, which Discord unfurls.
 *
 * Code spans and code blocks are never rewritten in either direction.
 */

import { applyEdits, codeRanges, isInside, offsets, parseMarkdown, rewriteOutsideCode, type SourceEdit, walk } from './discord-source.js';
import { type Mention, type MentionKind, mentionToken, plainMention, renderMentions, SYNTAX_BREAKER } from './mentions.js';
import { isPlainText } from './plain.js';

/** U+200B: breaks `@everyone` / `@here` for Discord's mention parser, invisible to people. */
export const MENTION_BREAKER = '\u200B';

/** Names of what a message mentions, as Discord resolved them; undefined when it did not. */
export type DiscordNames = (kind: MentionKind, id: string) => string | undefined;

const UNRESOLVED: Readonly<Record<MentionKind, string>> = { user: '@unknown-user', channel: '#unknown-channel', role: '@unknown-role' };
/** Discord's own mention syntax, and anything else that looks like mention syntax. */
const DISCORD_MENTION = /<(@!?|@&|#)(\d{1,22})>|<(?=[@#!])/g;

/** Discord markdown (as received in `message.content`) → neutral markdown. */
export function discordToMarkdown(text: string, names: DiscordNames = () => undefined): string {
  if (isPlainText(text)) return text;
  const quoted = expandBlockQuote(text);
  const tree = parseMarkdown(quoted);
  const edits: SourceEdit[] = [];
  walk(tree, (node) => {
    // Discord's `__x__` is underline; CommonMark parsed it as strong. Make it emphasis.
    if (node.type !== 'strong') return;
    const range = offsets(node);
    if (!range || quoted.slice(range[0], range[0] + 2) !== '__') return;
    edits.push({ start: range[0], end: range[0] + 2, text: '*' }, { start: range[1] - 2, end: range[1], text: '*' });
  });
  return rewriteOutsideCode(applyEdits(quoted, edits), (segment) =>
    segment.replace(/<a?:(\w+):\d+>/g, ':$1:').replace(DISCORD_MENTION, (match, sigil: string | undefined, id: string | undefined) => {
      if (sigil === undefined || id === undefined) return `${match}${SYNTAX_BREAKER}`;
      const kind: MentionKind = sigil === '#' ? 'channel' : sigil === '@&' ? 'role' : 'user';
      const name = names(kind, id);
      return name === undefined ? UNRESOLVED[kind] : mentionToken({ kind, platform: 'discord', id, name });
    }),
  );
}

/** A token as Discord content: live for Discord's own, a plain name (never a mass mention) for others. */
function discordMention(mention: Mention): string {
  if (mention.platform === 'discord') return mention.kind === 'channel' ? `<#${mention.id}>` : mention.kind === 'role' ? `<@&${mention.id}>` : `<@${mention.id}>`;
  return plainMention(mention)
    .replace(/[*_~`|\\<>[\]]/g, '\\$&')
    .replace(/^@(everyone|here)\b/, `@${MENTION_BREAKER}$1`);
}

/** Neutral markdown → Discord markdown, ready for `content` (before splitting). */
export function markdownToDiscord(markdown: string): string {
  if (isPlainText(markdown)) return markdown;
  const tree = parseMarkdown(markdown);
  const images: SourceEdit[] = [];
  const delimiters: SourceEdit[] = [];
  walk(tree, (node) => {
    const range = offsets(node);
    if (!range) return;
    if (node.type === 'strong' && markdown.slice(range[0], range[0] + 2) === '__') {
      // CommonMark bold written with underscores would underline on Discord.
      delimiters.push({ start: range[0], end: range[0] + 2, text: '**' }, { start: range[1] - 2, end: range[1], text: '**' });
    } else if (node.type === 'image') {
      images.push({ start: range[0], end: range[1], text: node.url });
    }
  });
  // An image is replaced whole, so edits inside its alt text must not apply.
  const outside = delimiters.filter((edit) => !images.some((image) => edit.start >= image.start && edit.end <= image.end));
  return rewriteOutsideCode(applyEdits(markdown, [...images, ...outside]), (segment) =>
    renderMentions(segment, discordMention, (text) =>
      // Raw user and role mentions were resolved nowhere: inert (channel links stay).
      text.replace(/<(?=@)/g, `<${MENTION_BREAKER}`).replace(/(?<![\w.+-])@(everyone|here)\b/g, `@${MENTION_BREAKER}$1`),
    ),
  );
}

/**
 * Discord's `>>> ` quotes everything after it; CommonMark needs `> ` on each line.
 * Only the first marker outside code counts, as on Discord.
 */
function expandBlockQuote(text: string): string {
  const code = codeRanges(parseMarkdown(text));
  const marker = /^>>> ?/gm;
  for (let match = marker.exec(text); match; match = marker.exec(text)) {
    if (isInside(match.index, code)) continue;
    const rest = text.slice(match.index + match[0].length);
    const quoted = rest
      .split('\n')
      .map((line) => (line === '' ? '>' : `> ${line}`))
      .join('\n');
    return text.slice(0, match.index) + quoted;
  }
  return text;
}
