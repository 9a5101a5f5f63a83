import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CommandInvocation } from '../../src/core/chat.js';
import { type SlackPair, startSlackPair } from '../support/slack-harness.js';

const USERS = [
  { id: 'U0ALICE', name: 'alice', displayName: 'Alice' },
  { id: 'U0ADMIN', name: 'root', realName: 'Ada Admin', isAdmin: true },
  { id: 'U0OWNER', name: 'own', isPrimaryOwner: true },
];

async function withPair(mode: 'socket' | 'http', run: (pair: SlackPair) => Promise<void>): Promise<void> {
  const pair = await startSlackPair(mode, { fake: { users: USERS } });
  try {
    await run(pair);
  } finally {
    await pair.stop();
  }
}

for (const mode of ['socket', 'http'] as const) {
  describe(`Slack slash commands (${mode} mode)`, () => {
    test('a command is acked at once, before its handler finishes, and answered ephemerally through respond()', () =>
      withPair(mode, async ({ fake, adapter, setBehaviour, waitForEvent }) => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        setBehaviour(async (event) => {
          if (event.kind !== 'command') return;
          await gate;
          await adapter.reply(event, { text: 'Found **2** blocks: `a`, `b`' });
        });
        // Resolves on the ack (socket) or the HTTP response while the handler is still blocked.
        const delivery = await fake.deliverCommand({ command: 'block', text: '  list   all ', channelId: 'C0GENERAL', userId: 'U0ALICE' });
        if (mode === 'http') {
          assert.equal(delivery.status, 200);
          assert.equal(delivery.body, '');
        } else {
          assert.deepEqual(delivery.ack?.payload, {});
        }
        const invocation = (await waitForEvent((event) => event.kind === 'command', 'the command')) as CommandInvocation;
        assert.equal(fake.state.responses.length, 0);
        release();
        const response = await fake.state.waitFor(() => fake.state.responses[0], 'the response_url post');
        assert.deepEqual(response.body, { text: 'Found *2* blocks: `a`, `b`', response_type: 'ephemeral', replace_original: false });
        assert.equal(invocation.command, 'block');
        assert.deepEqual(invocation.args, ['list', 'all']);
        assert.equal(invocation.rawText, '  list   all ');
        assert.deepEqual(invocation.user, { id: 'U0ALICE', displayName: 'Alice', isPrivileged: false });
        assert.deepEqual(invocation.channel, { platform: 'slack', channelId: 'C0GENERAL' });
      }));

    test('admins and owners are privileged; a public answer is posted in_channel', () =>
      withPair(mode, async ({ fake, adapter, waitForEvent }) => {
        await fake.deliverCommand({ command: 'bridge', text: 'status', channelId: 'C1', userId: 'U0ADMIN' });
        await fake.deliverCommand({ command: 'agent', text: '', channelId: 'C1', userId: 'U0OWNER' });
        const admin = (await waitForEvent((event) => event.kind === 'command' && event.command === 'bridge', 'bridge')) as CommandInvocation;
        const owner = (await waitForEvent((event) => event.kind === 'command' && event.command === 'agent', 'agent')) as CommandInvocation;
        assert.deepEqual(admin.user, { id: 'U0ADMIN', displayName: 'Ada Admin', isPrivileged: true });
        assert.equal(owner.user.isPrivileged, true);
        assert.deepEqual(owner.args, []);
        await adapter.reply(admin, { text: 'Linked.' }, { ephemeral: false });
        assert.equal(fake.state.responses[0]?.body.response_type, 'in_channel');
        assert.equal(fake.state.responses[0]?.id, /cmd-\d+/.exec(JSON.stringify(fake.state.responses[0]))?.[0]);
      }));
  });
}

test('a reply to an invocation this process no longer knows falls back to chat.postEphemeral', () =>
  withPair('socket', async ({ fake, adapter }) => {
    const stranger: CommandInvocation = {
      platform: 'slack',
      kind: 'command',
      eventId: 'slack:command:trigger-from-another-replica',
      receivedAt: 0,
      command: 'block',
      args: [],
      rawText: '',
      user: { id: 'U0ALICE', displayName: 'Alice', isPrivileged: false },
      channel: { platform: 'slack', channelId: 'C1' },
    };
    await adapter.reply(stranger, { text: 'late answer' });
    const [call] = fake.state.callsTo('chat.postEphemeral');
    assert.deepEqual(call?.args, { channel: 'C1', user: 'U0ALICE', text: 'late answer' });
  }));
