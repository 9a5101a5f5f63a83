/** Readiness of the Blocks key after a failing answer: asked again once the failure is `failureStaleAfterMs` old. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBlocksKeyState } from '../../../src/health/blocks-key.js';

test('after a timed-out Blocks request, /readyz probes Blocks again once the failure is failureStaleAfterMs old, and is ready when it answers', async () => {
  let clock = 1_000_000;
  let probes = 0;
  const state = createBlocksKeyState({
    now: () => clock,
    failureStaleAfterMs: 1_000,
    probe: async () => {
      probes += 1;
      state.record({ kind: 'status', status: 404 });
    },
  });
  state.record({ kind: 'network', code: 'TIMEOUT' });
  await assert.rejects(state.check(), /Blocks is unreachable \(TIMEOUT\)/);
  assert.equal(probes, 0, 'a fresh failure is not probed at once');
  clock += 1_001;
  await state.check();
  assert.equal(probes, 1);
});
