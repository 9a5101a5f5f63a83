/**
 * Safe echoes of what a person typed. Anything we repeat back goes through `showInput`:
 * it is shortened, reduced to printable ASCII, and wrapped in inline code, so that an echo
 * can never ping anyone (`<@U…>`, `<!channel>`, `@everyone`), carry markup, reorder text
 * (bidi controls) or flood the channel with 10 kB of text.
 */

/** Longest echo of a single word, in characters, before it is cut with "…": room for any whole Fluxra ID. */
export const MAX_ECHO_LENGTH = 48;

/** Stands in for any character we will not repeat back. */
const REPLACEMENT = '\uFFFD';

/**
 * Letters, digits and the punctuation that helps a person see what went wrong in an ID
 * (`.`, `/`, `?`, `#`, `%`). Left out: backticks (they would end the inline code), `<`, `>`,
 * `@`, `&` (mentions and entities), `*`, `~`, `|` (emphasis, spoilers), and everything
 * outside printable ASCII (lookalikes, zero-width and bidi characters).
 */
const SAFE_CHAR = /^[A-Za-z0-9_\-.:/?#%+=,;!()[\]{}$^ ]$/;

/** `input` shortened to `max` characters (code points), unsafe characters replaced, in inline code. */
export function showInput(input: string, max = MAX_ECHO_LENGTH): string {
  const chars = Array.from(input);
  const shown = chars.slice(0, max).map((c) => (SAFE_CHAR.test(c) ? c : REPLACEMENT));
  const body = shown.join('').replace(/^ +| +$/g, (spaces) => REPLACEMENT.repeat(spaces.length));
  const cut = chars.length > max ? '…' : '';
  return `\`${body || REPLACEMENT}\`${cut}`;
}

/** Names extra words after a complete command, shortened when there are many. */
export function showWords(words: readonly string[], maxWords = 3): string {
  const shown = words
    .slice(0, maxWords)
    .map((word) => showInput(word, 20))
    .join(' ');
  const rest = words.length - maxWords;
  return rest > 0 ? `${shown} (and ${rest} more word${rest === 1 ? '' : 's'})` : shown;
}

/** `U+0430` for the first character outside printable ASCII, for "why is this not an ID". */
export function firstNonAsciiCodePoint(input: string): string | undefined {
  for (const c of input) {
    const code = c.codePointAt(0) ?? 0;
    if (code < 0x21 || code > 0x7e) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

/** "1 block", "3 blocks". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The text with its first letter upper case, for a phrase that starts a sentence ("a Slack channel is…"). */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
