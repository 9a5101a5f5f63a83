/**
 * A fast path for the markdown converters: most chat messages are a line of words, and the
 * mdast parse costs far more than the rest of a mirrored message's CPU. Text that passes
 * `isPlainText` converts to itself (less trailing spaces) in every direction, so the
 * converters return it without parsing.
 *
 * Deliberately narrow (an allow-list, not a deny-list): one line; starts with a letter (no
 * list, heading, quote or indented-code start); then only letters, digits, spaces and
 * `, . ? ' " ( ) -` — none of which starts emphasis, code, links, entities, escapes,
 * mentions or HTML. GFM autolink literals need `:` or `@`, except `www.`, which is excluded.
 */
const PLAIN = /^\p{L}[\p{L}\p{N} ,.?'"()-]*$/u;
const WWW = /www\./i;

export function isPlainText(text: string): boolean {
  return PLAIN.test(text) && !WWW.test(text);
}
