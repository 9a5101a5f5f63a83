import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSlidingWindow, maxInAnyWindow } from '../../../src/simulators/blocks/sliding-window.js';

describe('sliding window counter', () => {
  test('admits the limit in a window and refuses the next one', () => {
    const window = createSlidingWindow({ limit: 3, windowMs: 1000 });
    assert.deepEqual(
      [0, 10, 20, 30].map((t) => window.arrive('k', t)),
      [true, true, true, false],
    );
  });

  test('counts refused arrivals too, so hammering keeps the window shut', () => {
    const window = createSlidingWindow({ limit: 2, windowMs: 1000 });
    assert.equal(window.arrive('k', 0), true);
    assert.equal(window.arrive('k', 600), true);
    assert.equal(window.arrive('k', 900), false);
    // 0 has aged out, but 600 and the refused 900 are still in (100, 1100].
    assert.equal(window.arrive('k', 1100), false);
    assert.equal(window.waitMs('k', 1100), 900 + 1000 - 1100);
  });

  test('two arrivals exactly one window apart are in different windows', () => {
    const window = createSlidingWindow({ limit: 1, windowMs: 1000 });
    assert.equal(window.arrive('k', 5000), true);
    assert.equal(window.arrive('k', 5999), false);
    assert.equal(window.arrive('k', 7000), true);
  });

  test('keys are counted separately', () => {
    const window = createSlidingWindow({ limit: 1, windowMs: 1000 });
    assert.equal(window.arrive('a', 0), true);
    assert.equal(window.arrive('b', 0), true);
    assert.equal(window.arrive('a', 1), false);
  });

  test('defaults to 100 per 60 s: the 101st in a minute is refused, a minute later it fits again', () => {
    const window = createSlidingWindow();
    for (let i = 0; i < 100; i += 1) assert.equal(window.arrive('k', i * 500), true);
    assert.equal(window.arrive('k', 59_999), false);
    assert.equal(window.countInWindow('k', 59_999), 101);
    assert.equal(window.arrive('k', 120_000), true);
  });
});

describe('maxInAnyWindow', () => {
  test('finds the densest half-open window over an unsorted log', () => {
    assert.equal(maxInAnyWindow([], 1000), 0);
    assert.equal(maxInAnyWindow([3000, 0, 999, 1000, 1500], 1000), 3);
    assert.equal(maxInAnyWindow([0, 1000, 2000], 1000), 1);
    assert.equal(
      maxInAnyWindow(
        Array.from({ length: 101 }, (_, i) => i * 599),
        60_000,
      ),
      101,
    );
    assert.equal(
      maxInAnyWindow(
        Array.from({ length: 101 }, (_, i) => i * 600),
        60_000,
      ),
      100,
    );
  });
});
