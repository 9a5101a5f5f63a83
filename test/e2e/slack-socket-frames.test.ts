import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { judgeSocketModeFrame } from '../../src/platforms/slack/socket-mode-client.js';
import { type SlackPair, startSlackPair } from '../support/slack-harness.js';

async function withPair(run: (pair: SlackPair) => Promise<void>): Promise<void> {
  const pair = await startSlackPair('socket', { fake: { users: [{ id: 'U0ALICE', name: 'alice' }] } });
  try {
    await run(pair);
  } finally {
    await pair.stop();
  }
}

const textOf = (pair: SlackPair): string[] => pair.events.map((event) => (event.kind === 'message' ? event.text : event.kind));

test('malformed events_api envelopes are acked and logged, and the next good event is still delivered', () =>
  withPair(async (pair) => {
    const { fake } = pair;
    // Each of these made @slack/socket-mode 3.1 reject unhandled (`event.payload.event.type`) and end the process.
    const hostile = [
      { envelope_id: 'bad-no-payload', type: 'events_api', accepts_response_payload: false },
      { envelope_id: 'bad-null-payload', type: 'events_api', payload: null },
      { envelope_id: 'bad-no-event', type: 'events_api', payload: { type: 'event_callback', team_id: fake.teamId } },
      { envelope_id: 'bad-event-no-type', type: 'events_api', payload: { type: 'event_callback', event: { channel: 'C1' } } },
      { envelope_id: 'bad-command-no-payload', type: 'slash_commands' },
    ];
    for (const frame of hostile) fake.sendFrame(frame);
    await fake.state.waitFor(
      () => (hostile.every((frame) => fake.state.acks.some((ack) => ack.envelopeId === frame.envelope_id)) ? true : undefined),
      'acks of the malformed envelopes',
    );
    const { ack } = await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'after the bad frames' }));
    assert.ok(ack, 'the good event is acked');
    assert.deepEqual(textOf(pair), ['after the bad frames']);
    for (const frame of hostile) {
      // Warn level and above: at debug the library also echoes every frame it receives.
      const lines = pair.logs.filter((line) => Number(line.level) >= 40 && String(line.msg).includes(frame.envelope_id));
      assert.equal(lines.length, 1, `one log line for ${frame.envelope_id}`);
      assert.match(String(lines[0]?.msg), /malformed .* acknowledged and dropped/);
    }
  }));

test('an envelope of an unknown type is acked once and does not reach the handler', () =>
  withPair(async (pair) => {
    const { fake } = pair;
    fake.sendFrame({ envelope_id: 'unknown-1', type: 'some_future_type', payload: { anything: true } });
    await fake.state.waitFor(() => fake.state.acks.find((ack) => ack.envelopeId === 'unknown-1'), 'ack of the unknown envelope');
    await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'next' }));
    assert.equal(fake.state.acks.filter((ack) => ack.envelopeId === 'unknown-1').length, 1);
    assert.deepEqual(textOf(pair), ['next']);
    assert.ok(pair.logs.some((line) => /unknown type some_future_type unknown-1 acknowledged/.test(String(line.msg))));
  }));

test('a disconnect with reason link_disabled stops reconnecting, logs the reason once at error level, and reports it as the connection problem', () =>
  withPair(async (pair) => {
    const { fake, adapter } = pair;
    assert.equal(adapter.connectionState?.(), 'connected');
    fake.sendFrame({ type: 'disconnect', reason: 'link_disabled', debug_info: { host: 'fake-slack' } });
    await pair.waitForLog((line) => line.level === 50 && /link_disabled/.test(String(line.msg)), 'the link_disabled error');
    await fake.state.waitFor(() => (fake.socketCount() === 0 ? true : undefined), 'the socket to close');
    // The library reconnects 5 s after a close; wait past that and see no new connection.
    await sleep(6_000);
    assert.equal(fake.socketCount(), 0);
    assert.equal(fake.state.callsTo('apps.connections.open').length, 1);
    assert.equal(adapter.connectionState?.(), 'disconnected');
    assert.match(adapter.connectionProblem?.() ?? '', /link_disabled/);
    assert.equal(pair.logs.filter((line) => Number(line.level) >= 40 && /link_disabled/.test(String(line.msg))).length, 1);
  }));

test('an ordinary disconnect (refresh_requested) still reconnects', () =>
  withPair(async (pair) => {
    const { fake, adapter } = pair;
    fake.sendFrame({ type: 'disconnect', reason: 'refresh_requested' });
    await fake.state.waitFor(() => (fake.state.callsTo('apps.connections.open').length >= 2 && fake.socketCount() === 1 ? true : undefined), 'a reconnection', 15_000);
    await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'after refresh' }));
    assert.deepEqual(textOf(pair), ['after refresh']);
    assert.equal(adapter.connectionProblem?.(), undefined);
  }));

test('judgeSocketModeFrame: envelopes the library cannot dispatch are malformed; link_disabled is final', () => {
  assert.deepEqual(judgeSocketModeFrame({ type: 'hello' }), { kind: 'pass' });
  assert.deepEqual(judgeSocketModeFrame({ type: 'disconnect', reason: 'warning' }), { kind: 'pass' });
  assert.deepEqual(judgeSocketModeFrame({ type: 'disconnect', reason: 'link_disabled' }), { kind: 'final-disconnect', reason: 'link_disabled' });
  assert.equal(judgeSocketModeFrame({ envelope_id: 'e', type: 'events_api' }).kind, 'malformed');
  assert.equal(judgeSocketModeFrame({ envelope_id: 'e', type: 'events_api', payload: [] }).kind, 'malformed');
  assert.equal(judgeSocketModeFrame({ envelope_id: 'e', type: 'events_api', payload: { event: 'x' } }).kind, 'malformed');
  assert.equal(judgeSocketModeFrame({ envelope_id: 'e', type: 'interactive', payload: 'x' }).kind, 'malformed');
  assert.deepEqual(judgeSocketModeFrame({ envelope_id: 'e', type: 'events_api', payload: { event: { type: 'message' } } }), { kind: 'pass' });
  assert.deepEqual(judgeSocketModeFrame([1, 2]), { kind: 'pass' });
});
