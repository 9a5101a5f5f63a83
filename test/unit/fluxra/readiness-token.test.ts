/**
 * /readyz checks Fluxra with the token the bridge already holds: probes every few seconds
 * must not mint a JWT each (issue 16, item 9).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerReadinessChecks } from '../../../src/health/readiness.js';
import { createHealthServer } from '../../../src/health/server.js';
import { startHarness } from './helpers.js';

test('repeated /readyz probes reuse the cached Fluxra token instead of exchanging the key each time', async () => {
  const h = await startHarness();
  const health = createHealthServer({ port: 0, host: '127.0.0.1' });
  registerReadinessChecks(health, { store: { ping: async () => {} }, adapters: [], fluxra: h.client });
  try {
    const { port } = await health.start();
    for (let probe = 0; probe < 5; probe += 1) {
      const answer = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(answer.status, 200, await answer.text());
    }
    assert.equal(h.fake.requestsTo('token').length, 1, 'one exchange for five probes');
  } finally {
    await health.close();
    await h.close();
  }
});
