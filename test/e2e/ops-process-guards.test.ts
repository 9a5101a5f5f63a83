/**
 * Errors nobody caught, in the bridge process: a stray promise rejection is logged as a JSON
 * line and the bridge goes on serving; an uncaught exception is logged and the process exits
 * non-zero, for the supervisor to restart it. The faults come from a preloaded module
 * (support/process-faults.mjs) on a signal.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BridgeChild } from './support/bridge-child.js';
import { startLinkedBridge } from './support/linked-bridge.js';
import { type MirrorWorld, SLACK_PEOPLE } from './support/mirror-world.js';

const FAULTS = fileURLToPath(new URL('./support/process-faults.mjs', import.meta.url));

let world: MirrorWorld;
let bridge: BridgeChild;
let base: string;

before(async () => {
  ({ world, bridge, base } = await startLinkedBridge({ NODE_OPTIONS: `--import ${FAULTS}` }));
});

after(async () => {
  if (!bridge.exited()) await bridge.killAndWait('SIGKILL');
  await world.close();
});

test('an unhandled promise rejection is logged as a JSON line and the bridge goes on', async () => {
  bridge.child.kill('SIGUSR2');
  const line = await bridge.waitForLog((entry) => entry['msg'] === 'unhandled promise rejection; the bridge goes on', 'the rejection log line');
  assert.equal(line['level'], 50);
  assert.match(String(line['err']), /stray rejection injected by the test/);
  assert.equal(bridge.exited(), false, bridge.stderr());
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  const channel = world.groups[0]?.slackChannel ?? '';
  const { ack } = await world.slack.deliverEvent(world.slack.userMessage({ channel, user: SLACK_PEOPLE[0].id, text: 'after the stray rejection' }));
  assert.ok(ack, 'a message is still accepted');
});

test('an uncaught exception is logged and the process exits non-zero', async () => {
  bridge.child.kill('SIGWINCH');
  const code = await bridge.exit;
  assert.equal(code, 1, bridge.stderr());
  const line = bridge.lines.find((entry) => entry['msg'] === 'uncaught exception; exiting so that the supervisor restarts the bridge');
  assert.ok(line, 'the fatal line is logged');
  assert.equal(line['level'], 60);
  assert.match(String(line['err']), /uncaught exception injected by the test/);
});
