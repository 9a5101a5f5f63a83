import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampTimerDelay, MAX_TIMER_DELAY_MS, timerDelayUntil } from '../../../src/core/timer-delay.js';

test('a timer delay never exceeds what setTimeout can hold, and is never negative', () => {
  assert.equal(clampTimerDelay(86_400_000 * 365), MAX_TIMER_DELAY_MS);
  assert.equal(clampTimerDelay(Number.POSITIVE_INFINITY), MAX_TIMER_DELAY_MS);
  assert.equal(clampTimerDelay(-5), 0);
  assert.equal(clampTimerDelay(Number.NaN), 0);
  assert.equal(clampTimerDelay(1_500), 1_500);
  assert.equal(timerDelayUntil(10_000, 4_000), 6_000);
  assert.equal(timerDelayUntil(4_000, 10_000), 0);
  assert.equal(timerDelayUntil(2 ** 40, 0), MAX_TIMER_DELAY_MS);
});
