import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectionGaugeValue, stalestLagSeconds } from '../../../src/metrics/registry.js';

describe('connectionGaugeValue', () => {
  test('1 while connected, 0 while disconnected', () => {
    assert.equal(connectionGaugeValue('connected'), 1);
    assert.equal(connectionGaugeValue('disconnected'), 0);
  });
  test('no series where the connection is not held (idle) or not reported', () => {
    assert.equal(connectionGaugeValue('idle'), undefined);
    assert.equal(connectionGaugeValue(undefined), undefined);
  });
});

describe('stalestLagSeconds', () => {
  test('measures from the oldest base, in seconds', () => {
    assert.equal(stalestLagSeconds([9_000, 4_000, 7_000], 10_000), 6);
  });
  test('0 when no conversation is followed, and never negative', () => {
    assert.equal(stalestLagSeconds([], 10_000), 0);
    assert.equal(stalestLagSeconds([12_000], 10_000), 0);
  });
});
