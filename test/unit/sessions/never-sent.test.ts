import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BudgetClosedError, BudgetUnavailableError, BudgetWaitTimeoutError } from '../../../src/ratelimit/errors.js';
import { neverSent } from '../../../src/sessions/start.js';

test('a request the budget never admitted is known unsent; anything from the way to Blocks is not', () => {
  assert.equal(neverSent(new BudgetUnavailableError('Redis at 127.0.0.1:6390 is unreachable')), true);
  assert.equal(neverSent(new BudgetClosedError('Blocks')), true);
  assert.equal(neverSent(new BudgetWaitTimeoutError('Blocks', 5_000, 'blocks.createSession')), true);
  assert.equal(neverSent(new Error('socket hang up')), false);
  assert.equal(neverSent(undefined), false);
});
