import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type SlackPair, startSlackPair } from '../support/slack-harness.js';

async function withPair(mode: 'socket' | 'http', run: (pair: SlackPair) => Promise<void>): Promise<void> {
  const pair = await startSlackPair(mode, { fake: { users: [{ id: 'U0ALICE', name: 'alice' }] } });
  try {
    await run(pair);
  } finally {
    await pair.stop();
  }
}

test('Socket Mode: an event is acknowledged only after a slow handler has finished', () =>
  withPair('socket', async ({ fake, setBehaviour }) => {
    let ackedWhileHandling: boolean | undefined;
    setBehaviour(async () => {
      // Long enough for an early ack (Bolt's default) to reach the fake before we finish.
      await sleep(150);
      ackedWhileHandling = fake.state.acks.length > 0;
      fake.state.mark('handler done');
    });
    const { ack } = await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'slow' }));
    const done = fake.state.marks.find((mark) => mark.label === 'handler done');
    assert.equal(ackedWhileHandling, false);
    assert.ok(done && ack && ack.seq > done.seq, 'the ack arrives after the handler finished');
  }));

test('Socket Mode: an event whose handler throws is not acknowledged, so Slack redelivers it', () =>
  withPair('socket', async ({ fake, setBehaviour, waitForLog, events }) => {
    setBehaviour(async (event) => {
      if (event.kind === 'message' && event.text === 'boom') throw new Error('store unavailable');
    });
    const failed = await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'boom' }), { waitForAck: false });
    const line = await waitForLog((entry) => entry.msg === 'slack inbound handler failed; not acknowledging so that Slack redelivers', 'the failure log');
    assert.match(String(line.err), /store unavailable/);
    // Acks travel in order on the one socket: once a later envelope is acked, an ack of the failed one would have arrived.
    await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'fine' }));
    assert.equal(fake.state.acks.filter((ack) => ack.envelopeId === failed.envelopeId).length, 0);
    assert.equal(events.length, 2);
  }));

test('HTTP mode: the response is sent only after a slow handler has finished', () =>
  withPair('http', async ({ fake, setBehaviour }) => {
    let finished = false;
    setBehaviour(async () => {
      await sleep(150);
      finished = true;
    });
    const result = await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'slow' }));
    assert.equal(result.status, 200);
    assert.equal(finished, true);
  }));

test('HTTP mode: a handler that throws gets Slack a 500 (no ack), and the error is logged', () =>
  withPair('http', async ({ fake, setBehaviour, logs }) => {
    setBehaviour(async () => {
      throw new Error('store unavailable');
    });
    const result = await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'boom' }));
    assert.equal(result.status, 500);
    assert.ok(logs.some((line) => line.msg === 'slack inbound handler failed; not acknowledging so that Slack redelivers'));
  }));

test('HTTP mode: forged and stale signatures are refused with 401 and never reach the handler', () =>
  withPair('http', async ({ fake, events, logs }) => {
    const forged = await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'forged' }), { forgeSignature: true });
    const stale = await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'stale' }), { timestampAgeSeconds: 6 * 60 });
    const forgedCommand = await fake.deliverCommand({ command: 'block', text: 'list', channelId: 'C1', userId: 'U0ALICE' }, { forgeSignature: true });
    assert.equal(forged.status, 401);
    assert.equal(stale.status, 401);
    assert.equal(forgedCommand.status, 401);
    const fresh = await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'genuine' }));
    assert.equal(fresh.status, 200);
    assert.deepEqual(
      events.map((event) => (event.kind === 'message' ? event.text : event.kind)),
      ['genuine'],
    );
    const text = JSON.stringify(logs);
    assert.ok(!text.includes('fake-signing-secret'), 'the signing secret never reaches the logs');
  }));

test('HTTP mode: a signed request stamped more than 5 minutes from now, either way, is refused with 401 and does nothing', () =>
  withPair('http', async ({ fake, events, logs, waitForEvent }) => {
    // Negative ages are stamps in the future; every one of these is signed with the right secret.
    for (const ageSeconds of [-301, 301, -3600]) {
      const event = await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: `skewed ${ageSeconds}` }), { timestampAgeSeconds: ageSeconds });
      const command = await fake.deliverCommand({ command: 'block', text: 'agent agt_0123abcd', channelId: 'C1', userId: 'U0ALICE' }, { timestampAgeSeconds: ageSeconds });
      assert.equal(event.status, 401, `event stamped ${-ageSeconds} s from now`);
      assert.equal(command.status, 401, `command stamped ${-ageSeconds} s from now`);
    }
    assert.equal(events.length, 0, 'nothing reached the handler');
    assert.equal(logs.filter((line) => line.msg === 'refused a Slack request whose timestamp is more than 5 minutes from now').length, 6);

    const ahead = await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'ten seconds ahead' }), { timestampAgeSeconds: -10 });
    const behind = await fake.deliverCommand({ command: 'block', text: 'list', channelId: 'C1', userId: 'U0ALICE' }, { timestampAgeSeconds: 290 });
    assert.equal(ahead.status, 200);
    assert.equal(behind.status, 200);
    // A command is acknowledged at once and handled right after.
    await waitForEvent((event) => event.kind === 'command', 'the command');
    assert.deepEqual(
      events.map((event) => (event.kind === 'message' ? event.text : event.kind)),
      ['ten seconds ahead', 'command'],
    );
  }));

test('secrets never appear in the logs, even at debug level', () =>
  withPair('socket', async ({ fake, adapter, logs }) => {
    await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'hello' }));
    await adapter.post({ platform: 'slack', channelId: 'C1' }, { text: 'hi' });
    const text = JSON.stringify(logs);
    assert.ok(logs.length > 0);
    for (const secret of ['xoxb-1111_2222_fakebottoken', 'xapp-1-A111-3333-fakeapptoken', 'fake-signing-secret-0123456789']) {
      assert.ok(!text.includes(secret), `${secret.slice(0, 5)}… leaked into the logs`);
    }
  }));

test('Socket Mode: messages of one channel are handled one at a time, in the order they came off the socket', () =>
  withPair('socket', async ({ fake, setBehaviour, waitForEvent }) => {
    const trace: string[] = [];
    setBehaviour(async (event) => {
      if (event.kind !== 'message') return;
      trace.push(`start ${event.text}`);
      // A slow handler: the next message of the channel must wait for it, not overtake it.
      await sleep(event.text === 'm0' ? 100 : 5);
      trace.push(`end ${event.text}`);
    });
    const texts = Array.from({ length: 8 }, (_, i) => `m${i}`);
    for (const text of texts) {
      await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text }), { waitForAck: false });
    }
    await waitForEvent((event) => event.kind === 'message' && event.text === 'm7', 'the last message');
    await fake.state.waitFor(() => (trace.length === 16 ? true : undefined), 'every handler to finish');
    assert.deepEqual(
      trace,
      texts.flatMap((text) => [`start ${text}`, `end ${text}`]),
    );
  }));

test('Socket Mode: a slow channel does not hold up another channel', () =>
  withPair('socket', async ({ fake, setBehaviour, waitForEvent }) => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    setBehaviour(async (event) => {
      if (event.kind === 'message' && event.text === 'stuck') await gate;
    });
    await fake.deliverEvent(fake.userMessage({ channel: 'C1', user: 'U0ALICE', text: 'stuck' }), { waitForAck: false });
    await fake.deliverEvent(fake.userMessage({ channel: 'C2', user: 'U0ALICE', text: 'other channel' }), { waitForAck: false });
    await waitForEvent((event) => event.kind === 'message' && event.text === 'other channel', 'the other channel');
    release();
  }));
