import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitMessage } from '../../../src/format/split.js';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** True when every fenced code block opened in `part` is also closed in it. */
function fencesBalanced(part: string): boolean {
  let open: string | undefined;
  for (const line of part.split('\n')) {
    const fence = FENCE.exec(line)?.[1];
    if (!fence) continue;
    if (open === undefined) open = fence;
    else if (fence[0] === open[0] && fence.length >= open.length && line.trim() === fence) open = undefined;
  }
  return open === undefined;
}

/** Every part fits, none is blank, and each part has balanced fences (renders on its own). */
function assertWellFormed(parts: string[], maxLength: number): void {
  for (const [index, part] of parts.entries()) {
    assert.ok(part.length <= maxLength, `part ${index} has ${part.length} > ${maxLength} chars:\n${part}`);
    assert.notEqual(part.trim(), '', `part ${index} is blank`);
    assert.ok(fencesBalanced(part), `part ${index} leaves a code fence open:\n${part}`);
  }
}

/** The document's words, in order, ignoring whitespace and the fences added or removed at cuts. */
function content(text: string): string {
  return text
    .split('\n')
    .filter((line) => !FENCE.test(line))
    .join('')
    .replace(/\s+/g, '');
}

const para = (word: string, count: number): string => Array.from({ length: count }, () => word).join(' ');

const cases: Array<{ name: string; text: string; max: number; expected?: string[] }> = [
  { name: 'short text is returned unchanged', text: 'hello *world*\n\nbye', max: 100, expected: ['hello *world*\n\nbye'] },
  { name: 'text exactly at the limit is one part', text: 'x'.repeat(20), max: 20, expected: ['x'.repeat(20)] },
  { name: 'blank text gives no parts', text: '  \n\n ', max: 10, expected: [] },
  {
    name: 'splits between paragraphs first',
    text: 'first paragraph here\n\nsecond paragraph here\n\nthird',
    max: 45,
    expected: ['first paragraph here\n\nsecond paragraph here', 'third'],
  },
  {
    name: 'splits between lines when a paragraph is too long',
    text: '- item one\n- item two\n- item three\n- item four',
    max: 24,
    expected: ['- item one\n- item two', '- item three\n- item four'],
  },
  {
    name: 'splits after sentences when a line is too long',
    text: 'One sentence here. Another one here! A third? Yes.',
    max: 30,
    expected: ['One sentence here.', 'Another one here! A third?', 'Yes.'],
  },
  {
    name: 'splits between words when a sentence is too long',
    text: 'alpha beta gamma delta epsilon zeta',
    max: 12,
    expected: ['alpha beta', 'gamma delta', 'epsilon zeta'],
  },
  {
    name: 'cuts a word only when nothing else fits',
    text: 'abcdefghijklmnopqrstuvwxyz',
    max: 10,
    expected: ['abcdefghij', 'klmnopqrst', 'uvwxyz'],
  },
  {
    name: 'never splits a surrogate pair',
    text: 'aaaa😀😀',
    max: 5,
    expected: ['aaaa', '😀😀'],
  },
  {
    name: 'keeps a code block whole by moving it to the next part',
    text: 'intro text\n\n```js\nconst a = 1;\n```',
    max: 25,
    expected: ['intro text', '```js\nconst a = 1;\n```'],
  },
  {
    name: 'closes and reopens a split code block with the same info string',
    text: '```ts\nline 1\nline 2\nline 3\nline 4\n```',
    max: 24,
    expected: ['```ts\nline 1\nline 2\n```', '```ts\nline 3\nline 4\n```'],
  },
  {
    name: 'reopens tilde fences and longer fences as they were',
    text: '~~~~python title="x"\na = 1\nb = 2\n~~~~',
    max: 32,
    expected: ['~~~~python title="x"\na = 1\n~~~~', '~~~~python title="x"\nb = 2\n~~~~'],
  },
  {
    name: 'does not treat a fence inside a code block as its end when shorter or of another kind',
    text: '````md\n```js\nx\n```\n~~~\n````\nafter',
    max: 100,
    expected: ['````md\n```js\nx\n```\n~~~\n````\nafter'],
  },
  {
    name: 'text after a split code block shares its last part',
    text: '```\n' + 'a\n'.repeat(6) + '```\n\ntail',
    max: 18,
    expected: ['```\na\na\na\na\na\n```', '```\na\n```\n\ntail'],
  },
  {
    name: 'an unclosed code block is closed in every part',
    text: '```sh\necho 1\necho 2\necho 3',
    max: 23,
    expected: ['```sh\necho 1\necho 2\n```', '```sh\necho 3\n```'],
  },
  {
    name: 'a code line longer than a part is cut inside its own fences',
    text: '```\n' + 'x'.repeat(25) + '\n```',
    max: 18,
    expected: ['```\n' + 'x'.repeat(10) + '\n```', '```\n' + 'x'.repeat(10) + '\n```', '```\n' + 'x'.repeat(5) + '\n```'],
  },
  {
    name: 'blank lines inside code are kept',
    text: 'p\n\n```\na\n\nb\n```',
    max: 12,
    expected: ['p', '```\na\n\nb\n```'],
  },
  { name: 'normalises CRLF line endings', text: 'a\r\nb', max: 10, expected: ['a\nb'] },
];

for (const { name, text, max, expected } of cases) {
  test(`splitMessage: ${name}`, () => {
    const parts = splitMessage(text, max);
    assertWellFormed(parts, max);
    if (expected) assert.deepEqual(parts, expected);
    assert.equal(content(parts.join('\n')), content(text));
  });
}

test('splitMessage: a long mixed document at the Discord limit keeps every invariant', () => {
  const code = Array.from({ length: 300 }, (_, i) => `  console.log(${i}); // ${'z'.repeat(i % 40)}`).join('\n');
  const text = [
    '# Report',
    para('lorem ipsum dolor sit amet.', 120),
    '```typescript\n' + code + '\n```',
    '> quoted ' + para('words', 500),
    Array.from({ length: 80 }, (_, i) => `${i + 1}. item ${para('x', i)}`).join('\n'),
    'x'.repeat(5000),
  ].join('\n\n');
  const parts = splitMessage(text, 2000);
  assertWellFormed(parts, 2000);
  assert.ok(parts.length > 5);
  assert.equal(content(parts.join('\n')), content(text));
  const codeParts = parts.filter((part) => part.includes('console.log'));
  assert.ok(codeParts.length > 1);
  for (const part of codeParts) {
    assert.ok(part.includes('```typescript\n'), 'every code part reopens the fence with its language');
  }
});

test('splitMessage: rejects a limit that is not a positive integer', () => {
  assert.throws(() => splitMessage('x', 0), RangeError);
  assert.throws(() => splitMessage('x', 1.5), RangeError);
});
