import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOutboxIdGenerator, isOutboxId } from '../../../src/store/outbox-id.js';

test('ids sort in generation order within one millisecond and across milliseconds', () => {
  let now = 1_700_000_000_000;
  const ids = createOutboxIdGenerator({ now: () => now, tag: 'a' });
  const generated = [ids.next(), ids.next(), ids.next()];
  now += 1;
  generated.push(ids.next());
  assert.deepEqual([...generated].sort(), generated);
  assert.equal(new Set(generated).size, 4);
  assert.ok(generated.every(isOutboxId));
  assert.equal(generated[0], '001700000000000-000000-a');
});

test('ids keep increasing when the clock steps back', () => {
  let now = 2_000;
  const ids = createOutboxIdGenerator({ now: () => now, tag: 'a' });
  const before = ids.next();
  now = 1_000;
  const after = ids.next();
  assert.ok(after > before, `${after} > ${before}`);
});

test('after advancing past a stored id, new ids sort after it even with a slower clock', () => {
  const ids = createOutboxIdGenerator({ now: () => 1_000, tag: 'b' });
  const stored = '000000000005000-000042-zzzz';
  ids.advancePast(stored);
  const next = ids.next();
  assert.ok(next > stored, `${next} > ${stored}`);
  ids.advancePast('not-an-id');
  assert.ok(ids.next() > next);
});

test('borrows the next millisecond instead of overflowing the counter', () => {
  const ids = createOutboxIdGenerator({ now: () => 7, tag: 'c' });
  let previous = ids.next();
  for (let i = 0; i < 1_000_001; i += 1) {
    const id = ids.next();
    if (!(id > previous)) assert.fail(`${id} does not sort after ${previous}`);
    previous = id;
  }
  assert.ok(previous.startsWith('000000000000008-'));
});
