/**
 * Splits neutral markdown into parts that fit a platform's message length limit
 * (Slack ~4,000, Discord 2,000) without breaking fenced code blocks.
 *
 * Boundaries are tried from the most to the least natural: between blocks (paragraphs,
 * lists, code blocks), then between lines, then after sentences, then between words,
 * and only as a last resort a hard cut. A fenced code block that must be split is closed
 * at the end of one part and reopened with the same fence and info string at the start of
 * the next, so that every part renders on its own; the fence lines count toward the limit.
 */

/** A run of non-blank lines outside code, or one fenced code block. */
type Block = { kind: 'text'; text: string; separatorBefore: string } | { kind: 'code'; open: string; close: string; body: string[]; closed: boolean; separatorBefore: string };

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/**
 * Splits `text` into parts of at most `maxLength` characters (UTF-16 code units, which is
 * how both Slack and Discord count). Parts are returned in order, none is empty or blank,
 * and reading them one after another gives the same document. Text that already fits is
 * returned unchanged as a single part; blank text gives no parts.
 */
export function splitMessage(text: string, maxLength: number): string[] {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  const normalized = text.replace(/\r\n?/g, '\n');
  if (normalized.trim() === '') return [];
  if (normalized.length <= maxLength) return [normalized];

  const parts: string[] = [];
  let current = '';
  const flush = (): void => {
    const part = current.trimEnd();
    if (part.trim() !== '') parts.push(part);
    current = '';
  };

  for (const block of parseBlocks(normalized)) {
    const whole = renderBlock(block);
    const joined = current === '' ? whole : current + block.separatorBefore + whole;
    if (joined.length <= maxLength) {
      current = joined;
      continue;
    }
    flush();
    if (whole.length <= maxLength) {
      current = whole;
      continue;
    }
    const pieces = block.kind === 'code' ? splitCodeBlock(block, maxLength) : splitText(block.text, maxLength, 0);
    // The last piece stays open so that a following small block can share its part.
    for (const piece of pieces.slice(0, -1)) {
      current = piece;
      flush();
    }
    current = pieces.at(-1) ?? '';
  }
  flush();
  return parts;
}

function renderBlock(block: Block): string {
  if (block.kind === 'text') return block.text;
  const lines = [block.open, ...block.body];
  if (block.closed) lines.push(block.close);
  return lines.join('\n');
}

/** Line scanner for CommonMark fences; everything else is grouped into blank-line-separated runs. */
function parseBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let pendingSeparator = '';
  let textLines: string[] = [];

  const endText = (): void => {
    if (textLines.length === 0) return;
    blocks.push({ kind: 'text', text: textLines.join('\n'), separatorBefore: pendingSeparator });
    textLines = [];
    pendingSeparator = '\n';
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const open = FENCE_OPEN.exec(line);
    const fence = open?.[2] ?? '';
    // A backtick fence's info string may not contain backticks (that is inline code).
    if (open && !(fence.startsWith('`') && (open[3] ?? '').includes('`'))) {
      endText();
      const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
      const body: string[] = [];
      let close: string | undefined;
      for (i++; i < lines.length; i++) {
        const inner = lines[i] ?? '';
        if (closing.test(inner)) {
          close = inner;
          break;
        }
        body.push(inner);
      }
      blocks.push({
        kind: 'code',
        open: line,
        close: close ?? `${open[1] ?? ''}${fence}`,
        body,
        closed: close !== undefined,
        separatorBefore: pendingSeparator,
      });
      pendingSeparator = '\n';
      continue;
    }
    if (line.trim() === '') {
      endText();
      if (blocks.length > 0) pendingSeparator += '\n';
      continue;
    }
    textLines.push(line);
  }
  endText();
  // Collapse runs of blank lines to one: more only pads the part.
  return blocks.map((block, index) => ({ ...block, separatorBefore: index === 0 ? '' : block.separatorBefore.length > 1 ? '\n\n' : '\n' }));
}

/** Splits a code block's body across parts, each wrapped in its own copy of the fences. */
function splitCodeBlock(block: Extract<Block, { kind: 'code' }>, maxLength: number): string[] {
  const capacity = maxLength - block.open.length - block.close.length - 2;
  // Fences longer than the limit itself: nothing sensible is left but cutting the raw text.
  if (capacity < 1) return hardCut(renderBlock(block), maxLength);

  const wrap = (lines: string[]): string => `${block.open}\n${lines.join('\n')}\n${block.close}`;
  const lines = block.body.flatMap((line) => (line.length <= capacity ? [line] : hardCut(line, capacity)));
  const parts: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const line of lines) {
    const added = chunk.length === 0 ? line.length : size + 1 + line.length;
    if (chunk.length > 0 && added > capacity) {
      parts.push(wrap(chunk));
      chunk = [line];
      size = line.length;
      continue;
    }
    chunk.push(line);
    size = added;
  }
  if (chunk.length > 0) parts.push(wrap(chunk));
  return parts;
}

/**
 * Splitters from the most to the least natural boundary. Each returns pieces whose
 * concatenation is its input, the separator staying at the end of the piece before it.
 */
const TEXT_SPLITTERS: ReadonlyArray<(text: string) => string[]> = [
  (text) => text.split(/(?<=\n)/),
  (text) => text.split(/(?<=[.!?…]["'”’)\]]*[ \t]+)/),
  (text) => text.split(/(?<=[ \t]+)(?=[^ \t])/),
];

function splitText(text: string, maxLength: number, level: number): string[] {
  if (text.trimEnd().length <= maxLength) return [text.trimEnd()];
  const splitter = TEXT_SPLITTERS[level];
  if (!splitter) return hardCut(text, maxLength);
  const pieces = splitter(text);
  if (pieces.length <= 1) return splitText(text, maxLength, level + 1);

  const out: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if ((current + piece).trimEnd().length <= maxLength) {
      current += piece;
      continue;
    }
    if (current.trim() !== '') out.push(current.trimEnd());
    current = '';
    if (piece.trimEnd().length <= maxLength) {
      current = piece;
      continue;
    }
    const sub = splitText(piece, maxLength, level + 1);
    out.push(...sub.slice(0, -1));
    current = sub.at(-1) ?? '';
  }
  if (current.trim() !== '') out.push(current.trimEnd());
  return out;
}

/** Cuts at exactly `maxLength`, stepping back one unit rather than splitting a surrogate pair. */
function hardCut(text: string, maxLength: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > maxLength) {
    let cut = maxLength;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff && cut > 1) cut -= 1;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest !== '') out.push(rest);
  return out;
}
