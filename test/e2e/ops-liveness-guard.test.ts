/**
 * The liveness guard: a bridge whose event loop stays blocked past `health.eventLoopBlockedMs`
 * logs why and dies (SIGKILL from its watcher thread) for the supervisor to restart; /healthz
 * answers 503 right after a stall of half the bound and 200 again once the loop keeps up.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createHealthServer } from '../../src/health/server.js';
import { waitFor } from './ops-harness.js';
import { startBridgeChild } from './support/bridge-child.js';
import { createMirrorWorld } from './support/mirror-world.js';

const FAULTS = fileURLToPath(new URL('./support/process-faults.mjs', import.meta.url));

const blockLoop = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

test('a bridge whose event loop stays blocked past the bound logs it and is killed', { timeout: 120_000 }, async () => {
  const world = await createMirrorWorld({ groups: 1 });
  try {
    await world.seedLinks();
    const bridge = startBridgeChild({
      config: world.config({ health: { eventLoopBlockedMs: 500 } }),
      env: { ...world.env, NODE_OPTIONS: `--import ${FAULTS}` },
      dir: world.dir,
    });
    await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started', 60_000);
    bridge.child.kill('SIGURG');
    const code = await bridge.exit;
    assert.equal(code, null, bridge.stderr());
    assert.equal(bridge.child.signalCode, 'SIGKILL');
    const line = bridge.lines.find((entry) => entry['component'] === 'liveness');
    assert.ok(line, 'the guard says why');
    assert.equal(line['level'], 60);
    assert.match(String(line['msg']), /event loop has been blocked longer than health\.eventLoopBlockedMs/);
    assert.ok(Number(line['blockedMs']) >= 500);
  } finally {
    await world.close();
  }
});

test('/healthz answers 503 after a stall of half the bound, then 200 again', async () => {
  const health = createHealthServer({ port: 0, host: '127.0.0.1', eventLoopBlockedMs: 1_000 });
  const { port } = await health.start();
  const healthz = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  try {
    await waitFor(async () => ((await healthz()).status === 200 ? true : undefined), 'a healthy loop');
    // Blocked past half the bound but short of it: the guard does not kill this test process.
    blockLoop(650);
    const stalled = await healthz();
    assert.equal(stalled.status, 503);
    assert.equal(stalled.body['status'], 'event loop stalled');
    assert.ok(Number(stalled.body['eventLoopDelayMs']) >= 500);
    const recovered = await waitFor(async () => {
      const answer = await healthz();
      return answer.status === 200 ? answer : undefined;
    }, 'healthy again');
    assert.equal(recovered.body['status'], 'ok');
  } finally {
    await health.close();
  }
});
