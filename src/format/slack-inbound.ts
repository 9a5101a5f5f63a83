/**
 * Slack mrkdwn → neutral markdown, with a small scanner: mrkdwn has few constructs and no
 * nesting rules worth a grammar. Code blocks are cut out first (nothing inside them is
 * formatting), then each line is read for a quote or list marker, then scanned inline.
 *
 * Plain text is backslash-escaped where markdown would otherwise read it as formatting, so
 * that `2*3*4` typed in Slack stays literal; the outbound converter parses those escapes
 * back, which makes the pair round-trip.
 */
import { mentionToken, SYNTAX_BREAKER } from './mentions.js';
import { INERT_MENTION_SEPARATOR } from './slack-outbound.js';

/** Display names of the users a message mentions, resolved on Slack (`users.info`). */
export type SlackNames = (userId: string) => string | undefined;

const CODE_BLOCK = /```([\s\S]*?)```/g;
const ENTITY = /^&(amp|lt|gt|quot|#39|#x27);/;
const ENTITY_VALUES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" };
const MASS_MENTIONS = new Set(['channel', 'here', 'everyone']);

/** Converts Slack mrkdwn (as Slack delivers it, entity-encoded) to neutral markdown. */
export function slackToMarkdown(mrkdwn: string, names: SlackNames = () => undefined): string {
  const out: string[] = [];
  let last = 0;
  for (const match of mrkdwn.matchAll(CODE_BLOCK)) {
    pushText(out, mrkdwn.slice(last, match.index), last > 0, names);
    const body = decodeEntities(match[1] ?? '')
      .replace(/^\n/, '')
      .replace(/\n$/, '');
    const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
    out.push(`${fence}\n${body}\n${fence}`);
    last = match.index + match[0].length;
  }
  pushText(out, mrkdwn.slice(last), last > 0, names);
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Text around code blocks: a code block always sits on its own lines in markdown. */
function pushText(out: string[], text: string, afterCode: boolean, names: SlackNames): void {
  const trimmed = text.replace(afterCode ? /^[ \t]*\n?[ \t]*/ : /^[ \t]*\n/, '').replace(/\n?[ \t]*$/, '');
  if (trimmed.trim() === '') return;
  out.push(convertLines(trimmed, names));
}

function convertLines(text: string, names: SlackNames): string {
  let quotingRest = false;
  let previous: 'quote' | 'list' | 'text' | 'blank' = 'blank';
  const out: string[] = [];
  for (let line of text.split('\n')) {
    // `>>>` quotes everything after it, to the end of the message.
    const multi = /^&gt;&gt;&gt;\s?/.exec(line);
    if (multi) {
      quotingRest = true;
      line = line.slice(multi[0].length);
    }
    const single = quotingRest ? null : /^&gt;\s?/.exec(line);
    if (single) line = line.slice(single[0].length);
    const quoted = quotingRest || single !== null;
    const converted = convertLine(line, names).trimEnd();
    const kind = quoted ? 'quote' : converted === '' ? 'blank' : /^(\s*)(-|\d+[.)]) /.test(converted) ? 'list' : 'text';
    // Slack ends a quote or a list at the newline; markdown would continue it lazily.
    if ((previous === 'quote' && kind !== 'quote' && kind !== 'blank') || (previous === 'list' && kind === 'text')) out.push('');
    out.push(quoted ? (converted === '' ? '>' : `> ${converted}`) : converted);
    previous = kind;
  }
  return out.join('\n');
}

function convertLine(line: string, names: SlackNames): string {
  const bullet = /^(\s*)[•◦▪▫‣-]\s+/.exec(line);
  if (bullet) return `${bullet[1] ?? ''}- ${convertInline(line.slice(bullet[0].length), names)}`;
  const numbered = /^(\s*)(\d{1,9})([.)])\s+/.exec(line);
  if (numbered) return `${numbered[1] ?? ''}${numbered[2]}${numbered[3]} ${convertInline(line.slice(numbered[0].length), names)}`;
  const inline = convertInline(line, names);
  // A literal `#` or `+ ` at the start of a Slack line is text, not a heading or a list.
  return inline.replace(/^(\s*)([#+])/, '$1\\$2');
}

const isWordChar = (char: string | undefined): boolean => char !== undefined && /[\p{L}\p{N}]/u.test(char);
const isSpace = (char: string | undefined): boolean => char === undefined || /\s/.test(char);

/** Where a `*`, `_` or `~` span opened at `start` closes on this line, if it is formatting at all. */
function closingIndex(text: string, start: number, marker: string): number {
  if (isWordChar(text[start - 1]) || isSpace(text[start + 1]) || text[start + 1] === marker) return -1;
  for (let i = start + 2; i < text.length; i++) {
    if (text[i] === '`') return -1;
    if (text[i] === marker && !isSpace(text[i - 1]) && !isWordChar(text[i + 1])) return i;
  }
  return -1;
}

const EMPHASIS: Record<string, string> = { '*': '**', _: '*', '~': '~~' };

function convertInline(text: string, names: SlackNames): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? '';
    if (char === '<') {
      const end = text.indexOf('>', i + 1);
      if (end > i) {
        out += convertAngle(text.slice(i + 1, end), names);
        i = end + 1;
        continue;
      }
    }
    if (char === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        out += inlineCode(decodeEntities(text.slice(i + 1, end)));
        i = end + 1;
        continue;
      }
    }
    if (char in EMPHASIS) {
      const end = closingIndex(text, i, char);
      if (end > 0) {
        const wrap = EMPHASIS[char] ?? '';
        out += wrap + convertInline(text.slice(i + 1, end), names) + wrap;
        i = end + 1;
        continue;
      }
    }
    if (char === '&') {
      const entity = ENTITY.exec(text.slice(i));
      if (entity) {
        out += escapePlain(ENTITY_VALUES[entity[1] ?? ''] ?? '', text, i, text.slice(i + entity[0].length));
        i += entity[0].length;
        continue;
      }
    }
    if (char === '@' && text[i + 1] === INERT_MENTION_SEPARATOR) {
      // Our own inert @channel coming back (e.g. an edit event for a message we posted).
      out += '@';
      i += 2;
      continue;
    }
    out += escapePlain(char, text, i, text.slice(i + 1));
    i += 1;
  }
  return out;
}

/** `<@U1|name>`, `<#C1|general>`, `<!here>`, `<https://x|label>` and friends. */
function convertAngle(inner: string, names: SlackNames): string {
  const bar = inner.indexOf('|');
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? decodeEntities(inner.slice(bar + 1)) : undefined;
  const named = label?.replace(/^[@#]/, '') || undefined;
  // Mentions Slack resolved become tokens (mentions.ts): live only back on Slack.
  if (/^@[A-Z0-9]+$/.test(target)) return mentionToken({ kind: 'user', platform: 'slack', id: target.slice(1), name: names(target.slice(1)) ?? named ?? target.slice(1) });
  if (/^#[A-Z0-9]+$/.test(target)) return mentionToken({ kind: 'channel', platform: 'slack', id: target.slice(1), name: named ?? target.slice(1) });
  if (target.startsWith('!')) {
    const [keyword = '', id] = target.slice(1).split('^');
    if (MASS_MENTIONS.has(keyword)) return `@${keyword}`;
    if (keyword === 'subteam' && id !== undefined && /^[A-Z0-9]+$/.test(id)) return mentionToken({ kind: 'role', platform: 'slack', id, name: named ?? 'team' });
    return escapeText(label ?? '');
  }
  const url = decodeEntities(target);
  if (label === undefined || label === url || `mailto:${label}` === url) {
    return url.startsWith('http://') || url.startsWith('https://') ? url : `[${escapeText(url.replace(/^mailto:/, ''))}](${destination(url)})`;
  }
  return `[${escapeText(label)}](${destination(url)})`;
}

function destination(url: string): string {
  return /[\s()<>]/.test(url) ? `<${url.replace(/[<>]/g, encodeURIComponent)}>` : url;
}

function inlineCode(code: string): string {
  const fence = '`'.repeat(longestRun(code, '`') + 1);
  // CommonMark strips one space on each side of a padded code span; pad to keep them.
  const pad = code.startsWith('`') || code.endsWith('`') || (code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') ? ' ' : '';
  return fence + pad + code + pad + fence;
}

function escapeText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += escapePlain(text[i] ?? '', text, i, text.slice(i + 1));
  return out;
}

/** Backslash-escapes one literal character only where markdown would read it as syntax. */
function escapePlain(char: string, text: string, index: number, rest: string): string {
  switch (char) {
    case '\\':
    case '*':
    case '`':
    case '~':
    case '[':
      return `\\${char}`;
    case '<':
      // A literal `<@U1>` someone typed must never become a mention anywhere (mentions.ts).
      return /^[@#!]/.test(rest) ? `\\<${SYNTAX_BREAKER}` : '\\<';
    case '_':
      // Intraword underscores (snake_case) are never emphasis in CommonMark.
      return isWordChar(text[index - 1]) && isWordChar(rest[0]) ? '_' : '\\_';
    case '&':
      return /^(#?\w+);/.test(rest) ? '\\&' : '&';
    default:
      return char;
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_match, name: string) => ENTITY_VALUES[name] ?? '');
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}
