import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_AGE_STEPS } from '../../../src/sessions/poll-intervals.js';
import { backoffUntil, createTurnTable } from '../../../src/sessions/turn-table.js';

const config = {
  intervals: { pollIntervalMs: 5_000, maxPollIntervalMs: 60_000 },
  steps: DEFAULT_AGE_STEPS,
  paceMs: 1_000,
  fastestFactor: 0.4,
  maxBackoffDoublings: 6,
};

test('a failing turn backs off by doubling its interval up to the longest poll interval, with jitter in the upper half', () => {
  assert.equal(backoffUntil(0, 5_000, 1, config, 0), 5_000, 'one failure: twice the interval, half of it fixed');
  assert.equal(backoffUntil(0, 5_000, 1, config, 1), 10_000);
  assert.equal(backoffUntil(1_000, 40_000, 3, config, 0.5), 1_000 + 45_000, 'capped at the longest poll interval');
  assert.equal(backoffUntil(0, 5_000, 50, config, 0), 30_000);
  assert.equal(backoffUntil(0, 100_000, 2, config, 0), 50_000, 'an interval already over the cap is not doubled');
});

test('a resumed turn is due before a new one, and a polled turn goes to the back', () => {
  const table = createTurnTable(config);
  assert.equal(table.add('new', 100_000, 100_000), true);
  assert.equal(table.add('resumed', 0, 100_000), true);
  assert.equal(table.add('resumed', 0, 100_000), false, 'adding twice keeps the first schedule');
  const none = new Set<string>();
  assert.equal(table.next(none)?.id, 'resumed');
  assert.equal(table.next(new Set(['resumed']))?.id, 'new', 'a turn with a poll in flight is skipped');
  const resumed = table.turns.get('resumed');
  assert.ok(resumed);
  table.polled(resumed, 'pending', 100_000);
  assert.equal(table.next(none)?.id, 'new');
  assert.equal(table.aheadOf(resumed, none), 1);
  table.polled(resumed, 'done', 100_001);
  assert.equal(table.turns.has('resumed'), false);
});

test('a failure that is not the turn’s own (a paused key) reschedules without backoff', () => {
  const table = createTurnTable(config);
  table.add('t', 0, 0);
  const entry = table.turns.get('t');
  assert.ok(entry);
  assert.equal(table.failed(entry, true, 10_000, 0.5), undefined);
  assert.equal(entry.failures, 0);
  const until = table.failed(entry, false, 10_000, 0.5);
  assert.ok(until !== undefined && until > 10_000);
  assert.equal(entry.failures, 1);
  assert.equal(table.dueAt(entry), until);
});
