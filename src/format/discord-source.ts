/**
 * Source-preserving markdown rewriting for the Discord converters.
 *
 * We parse with mdast only to learn *where* things are (code, strong runs, images) and
 * then edit the original string at those offsets. Serialising the tree back with
 * mdast-util-to-markdown would re-escape text that Discord needs verbatim (`<@123>`
 * becomes `\<@123>`, `||spoiler||` may gain escapes) and reflow what people typed.
 */

import type { Nodes, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

/** A replacement of `source.slice(start, end)` by `text`. */
export interface SourceEdit {
  start: number;
  end: number;
  text: string;
}

/** Parses CommonMark + GFM, keeping positions. */
export function parseMarkdown(source: string): Root {
  return fromMarkdown(source, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

/** Calls `visit` for every node of the tree, depth first, parents before children. */
export function walk(node: Nodes, visit: (node: Nodes) => void): void {
  visit(node);
  if ('children' in node) for (const child of node.children) walk(child as Nodes, visit);
}

/** Start and end offsets of a node in the source, when the parser recorded them. */
export function offsets(node: Nodes): [number, number] | undefined {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  return start === undefined || end === undefined ? undefined : [start, end];
}

/** Applies non-overlapping edits to `source` (in any order). */
export function applyEdits(source: string, edits: readonly SourceEdit[]): string {
  let out = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}

/** Offsets of code spans and fenced/indented code blocks: text there is never rewritten. */
export function codeRanges(tree: Root): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  walk(tree, (node) => {
    if (node.type !== 'code' && node.type !== 'inlineCode') return;
    const range = offsets(node);
    if (range) ranges.push(range);
  });
  return ranges.sort((a, b) => a[0] - b[0]);
}

/**
 * Applies `rewrite` to every stretch of `source` outside code, leaving code byte for byte.
 * The rewrite sees whole stretches, so patterns spanning a line break still match.
 */
export function rewriteOutsideCode(source: string, rewrite: (text: string) => string): string {
  const ranges = codeRanges(parseMarkdown(source));
  let out = '';
  let cursor = 0;
  for (const [start, end] of ranges) {
    if (start < cursor) continue;
    out += rewrite(source.slice(cursor, start)) + source.slice(start, end);
    cursor = end;
  }
  return out + rewrite(source.slice(cursor));
}

/** True when `offset` falls inside one of the sorted `ranges`. */
export function isInside(offset: number, ranges: ReadonlyArray<[number, number]>): boolean {
  return ranges.some(([start, end]) => offset >= start && offset < end);
}
