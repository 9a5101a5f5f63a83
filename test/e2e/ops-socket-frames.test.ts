/**
 * Hostile Socket Mode frames against the bridge process: envelopes without `payload` or
 * `payload.event` (which made `@slack/socket-mode` reject unhandled and end the process) are
 * acked and the bridge goes on accepting messages; a `disconnect` with `link_disabled` turns
 * /readyz to 503 with the reason, and the bridge no longer reconnects.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readiness, waitFor } from './ops-harness.js';
import type { BridgeChild } from './support/bridge-child.js';
import { startLinkedBridge } from './support/linked-bridge.js';
import { type MirrorWorld, SLACK_PEOPLE } from './support/mirror-world.js';

let world: MirrorWorld;
let bridge: BridgeChild;
let base: string;

before(async () => {
  ({ world, bridge, base } = await startLinkedBridge());
});

after(async () => {
  if (!bridge.exited()) assert.equal(await bridge.killAndWait('SIGTERM'), 0, bridge.stderr());
  await world.close();
});

test('malformed envelopes are acked, the process lives on and accepts the next message', async () => {
  const channel = world.groups[0]?.slackChannel ?? '';
  const ids = ['no-payload', 'no-event', 'event-without-type', 'unknown-type'];
  world.slack.sendFrame({ envelope_id: 'no-payload', type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '' });
  world.slack.sendFrame({ envelope_id: 'no-event', type: 'events_api', payload: { type: 'event_callback', team_id: world.slack.teamId } });
  world.slack.sendFrame({ envelope_id: 'event-without-type', type: 'events_api', payload: { type: 'event_callback', event: { channel } } });
  world.slack.sendFrame({ envelope_id: 'unknown-type', type: 'not_a_slack_type', payload: {} });
  await world.slack.state.waitFor(() => (ids.every((id) => world.slack.state.acks.some((ack) => ack.envelopeId === id)) ? true : undefined), 'acks of the hostile envelopes');
  const { ack } = await world.slack.deliverEvent(world.slack.userMessage({ channel, user: SLACK_PEOPLE[0].id, text: 'still here after the bad frames' }));
  assert.ok(ack, 'the good message is accepted (acked after it was stored)');
  assert.equal(bridge.exited(), false, bridge.stderr());
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
});

test('link_disabled: /readyz answers 503 naming slack with the reason, logged once at error level, no reconnection', async () => {
  const opensBefore = world.slack.state.callsTo('apps.connections.open').length;
  world.slack.sendFrame({ type: 'disconnect', reason: 'link_disabled', debug_info: { host: 'fake-slack' } });
  const ready = await waitFor(async () => {
    const answer = await readiness(base);
    return answer.body.failing.includes('slack') ? answer : undefined;
  }, 'slack failing');
  assert.equal(ready.status, 503);
  assert.match(ready.body.checks['slack'] ?? '', /link_disabled/);
  const errors = bridge.lines.filter((line) => line['level'] === 50 && /link_disabled/.test(String(line['msg'])));
  assert.equal(errors.length, 1);
  // The client reconnects 5 s after a close when it means to; past that, still no new connection.
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  assert.equal(world.slack.state.callsTo('apps.connections.open').length, opensBefore);
  assert.equal(world.slack.socketCount(), 0);
  assert.equal(bridge.exited(), false);
});
