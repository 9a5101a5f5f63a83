/**
 * Conversion between Discord markdown and the bridge's neutral markdown
 * (CommonMark + GFM strikethrough, mentions `<@ID>`, channels `<#ID>`).
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
 * - `<@!ID>` (legacy nickname mention) becomes `<@ID>`; role mentions `<@&ID>` and channel
 *   references `<#ID>` are kept. Whether anything pings is decided by the adapter's
 *   `allowed_mentions` (users only), not by the text.
 * - Outbound, `@everyone` and `@here` get a zero-width space after the `@` so that even a
 *   client that ignored `allowed_mentions` would not render them as mass pings.
 * - Discord-only inbound syntax: `>>> ` (quote the rest of the message) becomes `> ` on each
 *   line; custom emoji `<:name:ID>` / `<a:name:ID>` become `:name:`.
 * - Neutral images (`![alt](url)`) leave as the bare URL, which Discord unfurls.
 *
 * Code spans and code blocks are never rewritten in either direction.
 */
import { isPlainText } from './plain.js';
import { applyEdits, codeRanges, isInside, offsets, parseMarkdown, rewriteOutsideCode, walk, type SourceEdit } from './discord-source.js';

/** U+200B: breaks `@everyone` / `@here` for Discord's mention parser, invisible to people. */
export const MENTION_BREAKER = '\u200B';

/** Discord markdown (as received in `message.content`) → neutral markdown. */
export function discordToMarkdown(text: string): string {
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
    segment.replace(/<@!(\d+)>/g, '<@$1>').replace(/<a?:(\w+):\d+>/g, ':$1:'),
  );
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
    segment.replace(/<@!(\d+)>/g, '<@$1>').replace(/(?<![\w.+-])@(everyone|here)\b/g, `@${MENTION_BREAKER}$1`),
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
