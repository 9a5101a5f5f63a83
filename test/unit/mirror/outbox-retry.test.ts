import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelayMs } from '../../../src/delivery/runner.js';

const bounds = { baseMs: 1_000, maxMs: 60_000 };

test('retry delays double from the base and stop at the maximum', () => {
  const ceiling = (attempt: number) => retryDelayMs(attempt, bounds, () => 1);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 20, 1_000].map(ceiling), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
});

test('jitter keeps each delay between half its ceiling and the ceiling', () => {
  assert.equal(
    retryDelayMs(3, bounds, () => 0),
    2_000,
  );
  assert.equal(
    retryDelayMs(3, bounds, () => 0.5),
    3_000,
  );
  for (let i = 0; i < 200; i += 1) {
    const delay = retryDelayMs(4, bounds);
    assert.ok(delay >= 4_000 && delay <= 8_000, `delay ${delay}`);
  }
});

test('an attempt number below one is treated as the first retry', () => {
  assert.equal(
    retryDelayMs(0, bounds, () => 1),
    1_000,
  );
  assert.equal(
    retryDelayMs(-3, bounds, () => 1),
    1_000,
  );
});
