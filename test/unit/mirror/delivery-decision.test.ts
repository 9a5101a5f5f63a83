import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimitedError } from '../../../src/core/errors.js';
import { decideRetry, decideRetryOrDead, decideSendFailure, pausedProbeWait, retryWaitMs } from '../../../src/mirror/delivery-decision.js';
import { FluxraApiError } from '../../../src/services/fluxra/index.js';

const config = { blockedProbeMs: 300_000, retryBaseMs: 1_000, retryMaxMs: 60_000, maxAttempts: 5 };
const details = { service: 'fluxra' as const, method: 'POST', url: 'http://x/api/messages', route: 'sendMessage' as const };
const refusal = (status: number, apiMessage: string): FluxraApiError => new FluxraApiError({ ...details, code: `HTTP_${status}`, status, apiMessage, retryable: status >= 500 });
const half = (): number => 0.5;

test('a send into a blocked conversation pauses the link and probes again after the probe interval', () => {
  const decision = decideSendFailure(refusal(403, 'This conversation is blocked'), 0, 10_000, config);
  assert.deepEqual(decision, { kind: 'pause', retryAt: 310_000, reason: 'This conversation is blocked' });
});

test('a 403 that is not about a block, a 404 and an invalid item (400, 413, 422) are dead at once, not paused nor retried', () => {
  for (const status of [400, 403, 404, 413, 422]) {
    assert.deepEqual(decideSendFailure(refusal(status, 'forbidden'), 0, 0, config), { kind: 'dead', reason: `refused by Fluxra (${status})` });
  }
});

test('a server error, a 401 or a network failure is retried until the item has failed maxAttempts times, then it is dead', () => {
  for (const error of [refusal(503, 'down'), refusal(401, 'token'), new Error('socket hang up')]) {
    assert.equal(decideSendFailure(error, 3, 0, config, half).kind, 'retry');
    assert.deepEqual(decideSendFailure(error, 4, 0, config, half), { kind: 'dead', reason: 'failed 5 times' });
  }
  assert.equal(decideRetryOrDead(new Error('x'), 3, 0, config, half).kind, 'retry');
  assert.equal(decideRetryOrDead(new Error('x'), 4, 0, config, half).kind, 'dead');
});

test('retries back off by attempt, capped, and honour a Retry-After no shorter than the base', () => {
  const first = decideRetry(new Error('x'), 0, 5_000, config, half);
  assert.deepEqual(first, { kind: 'retry', retryAt: 5_750, attempt: 1, waitMs: 750 });
  assert.equal(decideRetry(new Error('x'), 3, 0, config, half).waitMs, 6_000);
  assert.equal(decideRetry(new Error('x'), 40, 0, config, () => 1).waitMs, 60_000);
  const rateLimited = (ms: number): RateLimitedError =>
    new RateLimitedError('slow down', { service: 'fluxra', status: 429, method: 'POST', url: 'http://x', retryAfterMs: ms, retryAfterFromServer: true });
  assert.equal(retryWaitMs(rateLimited(7_000), 1, config), 7_000);
  assert.equal(retryWaitMs(rateLimited(10), 1, config), 1_000);
});

test('a paused link probes at most once per interval; an active link never waits', () => {
  assert.equal(pausedProbeWait({ paused: false }, 0, 1, config), undefined);
  assert.equal(pausedProbeWait({ paused: true }, undefined, 1, config), undefined, 'first probe after a restart goes at once');
  assert.equal(pausedProbeWait({ paused: true }, 1_000, 2_000, config), 301_000);
  assert.equal(pausedProbeWait({ paused: true }, 1_000, 301_000, config), undefined);
});
