import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RateLimitedError } from '../../../src/core/errors.js';
import { isActive, nextPollDelay, type PollTimingConfig } from '../../../src/mirror/from-fluxra/timing.js';

const config: PollTimingConfig = { pollIntervalMs: 2_000, idlePollIntervalMs: 15_000, activeForMs: 120_000, retryBaseMs: 1_000, retryMaxMs: 60_000 };
const NOW = 1_000_000_000;

const rateLimited = (retryAfterMs: number): RateLimitedError =>
  new RateLimitedError('Fluxra asked us to wait', {
    service: 'fluxra',
    status: 429,
    method: 'GET',
    url: 'http://fluxra.test/api/conversations/x/messages',
    retryAfterMs,
    retryAfterFromServer: true,
  });

describe('Fluxra poll timing', () => {
  test('a conversation with a message within activeForMs is polled at the active interval', () => {
    assert.equal(isActive(config, NOW, NOW - 119_999), true);
    assert.equal(nextPollDelay(config, { now: NOW, lastMessageAt: NOW - 1_000, failures: 0 }), 2_000);
  });

  test('a quiet conversation, or one never heard from, is polled at the idle interval', () => {
    assert.equal(isActive(config, NOW, NOW - 120_000), false);
    assert.equal(isActive(config, NOW, undefined), false);
    assert.equal(nextPollDelay(config, { now: NOW, lastMessageAt: NOW - 120_000, failures: 0 }), 15_000);
    assert.equal(nextPollDelay(config, { now: NOW, lastMessageAt: undefined, failures: 0 }), 15_000);
  });

  test('failures back off exponentially up to retryMaxMs, never faster than the regular interval', () => {
    const active = (failures: number) => nextPollDelay(config, { now: NOW, lastMessageAt: NOW, failures, random: 0.5 });
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 20].map(active), [2_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    const idle = (failures: number) => nextPollDelay(config, { now: NOW, lastMessageAt: undefined, failures, random: 0.5 });
    assert.deepEqual([1, 4, 5].map(idle), [15_000, 15_000, 16_000]);
  });

  test('jitter spreads retries within ±25 % of the backoff', () => {
    const at = (random: number) => nextPollDelay(config, { now: NOW, lastMessageAt: NOW, failures: 5, random });
    assert.equal(at(0), 12_000);
    assert.equal(at(0.999999), 20_000);
  });

  test("a 429's Retry-After is waited out even when longer than the backoff", () => {
    assert.equal(nextPollDelay(config, { now: NOW, lastMessageAt: NOW, failures: 1, error: rateLimited(45_000), random: 0.5 }), 45_000);
    assert.equal(nextPollDelay(config, { now: NOW, lastMessageAt: NOW, failures: 6, error: rateLimited(10), random: 0.5 }), 32_000);
  });
});
