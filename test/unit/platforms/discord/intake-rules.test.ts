import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INTAKE_DEFAULTS, intakeAdmission, intakeQueueKey, intakeRetryDelayMs } from '../../../../src/platforms/discord/intake-rules.js';

test('the pause after a failed acceptance doubles from the base and stops growing at the cap', () => {
  const settings = { baseMs: 250, maxMs: 30_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8, 9].map((failures) => intakeRetryDelayMs(failures, settings)),
    [250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000],
  );
  assert.equal(intakeRetryDelayMs(10_000, settings), 30_000, 'a very long outage does not overflow');
  assert.equal(intakeRetryDelayMs(0, settings), 250);
});

test("a thread's events wait in their parent channel's queue when the parent is known, else in their own", () => {
  const parents = new Map([['thread-1', 'channel-1']]);
  const parentOf = (id: string): string | undefined => parents.get(id);
  assert.equal(intakeQueueKey('thread-1', parentOf), 'channel-1');
  assert.equal(intakeQueueKey('channel-1', parentOf), 'channel-1');
  assert.equal(intakeQueueKey('thread-unknown', parentOf), 'thread-unknown');
});

test('a channel queue takes events up to its bound; past it, and until it drained, events are left to the catch-up', () => {
  const settings = { maxQueuedPerChannel: 3 };
  assert.equal(intakeAdmission(0, false, settings), 'queue');
  assert.equal(intakeAdmission(2, false, settings), 'queue');
  assert.equal(intakeAdmission(3, false, settings), 'leave-to-catch-up');
  assert.equal(intakeAdmission(1, true, settings), 'leave-to-catch-up', 'an overflowed queue keeps order: nothing newer jumps in before the gap is read');
  assert.ok(INTAKE_DEFAULTS.maxQueuedPerChannel >= 1_000);
});
