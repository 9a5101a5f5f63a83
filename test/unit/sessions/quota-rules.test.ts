import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockTime, decideQuota, isSpentEntry, latestRefusal, QUOTA_WINDOW_MS, quotaRefusalText } from '../../../src/sessions/quota-rules.js';

const NOW = Date.parse('2026-12-04T13:00:00Z');
const MIN = 60_000;
const MAX_RUN = 65 * MIN;
const LIMITS = { running: 3, perHour: 30 };

test('under both limits a turn is admitted', () => {
  assert.deepEqual(decideQuota([], LIMITS, NOW, MAX_RUN), { ok: true });
  assert.deepEqual(decideQuota([{ at: NOW - MIN }, { at: NOW - 2 * MIN, endedAt: NOW - MIN }], LIMITS, NOW, MAX_RUN), { ok: true });
});

test('three running turns refuse a fourth until the oldest could no longer be running', () => {
  const running = [{ at: NOW - 10 * MIN }, { at: NOW - 5 * MIN }, { at: NOW - 20 * MIN }];
  assert.deepEqual(decideQuota(running, LIMITS, NOW, MAX_RUN), { ok: false, reason: 'running', limit: 3, freeAt: NOW - 20 * MIN + MAX_RUN });
  // One of them ended: room again.
  assert.deepEqual(decideQuota([...running.slice(0, 2), { at: NOW - 20 * MIN, endedAt: NOW - MIN }], LIMITS, NOW, MAX_RUN), { ok: true });
  // A turn whose end was never recorded stops counting once it cannot be running any more.
  assert.deepEqual(decideQuota([...running.slice(0, 2), { at: NOW - MAX_RUN }], LIMITS, NOW, MAX_RUN), { ok: true });
});

test('thirty turns in the last hour refuse the next until the oldest of them leaves the window', () => {
  const ended = Array.from({ length: 30 }, (_, i) => ({ at: NOW - (59 - i) * MIN, endedAt: NOW - (59 - i) * MIN + 1_000 }));
  const decision = decideQuota(ended, LIMITS, NOW, MAX_RUN);
  assert.deepEqual(decision, { ok: false, reason: 'hourly', limit: 30, freeAt: NOW - 59 * MIN + QUOTA_WINDOW_MS });
  // Older than an hour no longer counts.
  assert.deepEqual(decideQuota([{ at: NOW - QUOTA_WINDOW_MS, endedAt: NOW - 50 * MIN }, ...ended.slice(1)], LIMITS, NOW, MAX_RUN), { ok: true });
  // More entries than the limit (a lowered limit): frees when enough of them have left.
  const many = Array.from({ length: 32 }, (_, i) => ({ at: NOW - (50 - i) * MIN, endedAt: NOW }));
  assert.equal((decideQuota(many, LIMITS, NOW, MAX_RUN) as { freeAt: number }).freeAt, NOW - 48 * MIN + QUOTA_WINDOW_MS);
});

test('only entries past the hour and no longer running are spent', () => {
  assert.equal(isSpentEntry({ at: NOW - 2 * QUOTA_WINDOW_MS, endedAt: NOW - QUOTA_WINDOW_MS }, NOW, MAX_RUN), true);
  assert.equal(isSpentEntry({ at: NOW - 61 * MIN }, NOW, MAX_RUN), false, 'may still be running');
  assert.equal(isSpentEntry({ at: NOW - 66 * MIN }, NOW, MAX_RUN), true);
  assert.equal(isSpentEntry({ at: NOW - 30 * MIN, endedAt: NOW }, NOW, MAX_RUN), false, 'still in the hour');
});

test('the refusal that lasts longest is the one told, with a clock time', () => {
  const person = { reason: 'running' as const, limit: 3, freeAt: NOW + 5 * MIN };
  const channel = { reason: 'hourly' as const, limit: 100, freeAt: NOW + 20 * MIN };
  assert.equal(latestRefusal([person, channel]), channel);
  assert.equal(latestRefusal([]), undefined);
  assert.equal(clockTime(NOW + 5 * MIN), '13:05 UTC');
  assert.equal(quotaRefusalText(person, 'person'), 'You already have 3 agent turns running, the most allowed at once. Ask again when one ends (by 13:05 UTC at the latest).');
  assert.equal(quotaRefusalText(channel, 'channel'), 'This channel has started 100 agent turns in the last hour, the most allowed. The next one can start at 13:20 UTC.');
  assert.match(quotaRefusalText({ reason: 'hourly', limit: 1, freeAt: NOW }, 'person'), /^You have started 1 agent turn in the last hour/);
});
