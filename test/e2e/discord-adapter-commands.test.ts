import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CommandInvocation, CommandSpec, InboundEvent } from '../../src/core/chat.js';
import { CHANNEL_ID, EXISTING_THREAD_ID, eventually, GUILD_ID, type Harness, startHarness } from '../support/discord-harness.js';

const SPECS: CommandSpec[] = [
  {
    name: 'agent',
    description: 'Start an agent session',
    requiresPrivilege: false,
    subcommands: [
      {
        name: 'start',
        description: 'Start a session',
        options: [
          { name: 'model', description: 'Which model', required: false },
          { name: 'prompt', description: 'What to ask', required: true },
          { name: 'tag', description: 'A label', required: false },
        ],
      },
    ],
  },
  {
    name: 'bridge',
    description: 'Link this channel',
    requiresPrivilege: true,
    subcommands: [{ name: 'status', description: 'Show the link', options: [] }],
  },
];

const MANAGE_CHANNELS = (1n << 4n).toString();

const isCommand =
  (id: string) =>
  (event: InboundEvent): event is CommandInvocation =>
    event.kind === 'command' && event.eventId === `discord:interaction:${id}`;

describe('Discord adapter: slash commands', () => {
  let h: Harness;
  /** What the command handler should do, per test. */
  let behaviour: (invocation: CommandInvocation) => Promise<void> = async () => undefined;
  before(async () => {
    h = await startHarness({
      adapter: { commands: SPECS, guildId: GUILD_ID, applicationId: '400000000000000001', deferAfterMs: 400 },
      onCommand: (invocation) => behaviour(invocation),
    });
  });
  after(async () => {
    await h.close();
  });

  test('registers each spec to the guild as a chat-input command with subcommands and string options', async () => {
    await h.adapter.registerCommands(SPECS);
    const put = h.fake.state.calls.find((call) => call.method === 'PUT');
    assert.equal(put?.path, `/applications/400000000000000001/guilds/${GUILD_ID}/commands`);
    assert.deepEqual(put?.body, [
      {
        type: 1,
        name: 'agent',
        description: 'Start an agent session',
        contexts: [0],
        default_member_permissions: null,
        options: [
          {
            type: 1,
            name: 'start',
            description: 'Start a session',
            options: [
              // Discord wants required options first.
              { type: 3, name: 'prompt', description: 'What to ask', required: true },
              { type: 3, name: 'model', description: 'Which model', required: false },
              { type: 3, name: 'tag', description: 'A label', required: false },
            ],
          },
        ],
      },
      {
        type: 1,
        name: 'bridge',
        description: 'Link this channel',
        contexts: [0],
        default_member_permissions: MANAGE_CHANNELS,
        options: [{ type: 1, name: 'status', description: 'Show the link', options: [] }],
      },
    ]);
    assert.equal(h.fake.state.commands.get(GUILD_ID)?.length, 2);
  });

  test('registers globally when asked for no guild and none is configured', async () => {
    const global = await startHarness({ adapter: { commands: SPECS } });
    try {
      await global.adapter.registerCommands(SPECS.slice(0, 1));
      assert.equal(global.fake.state.commands.get('global')?.length, 1);
    } finally {
      await global.close();
    }
  });

  test('an interaction becomes an invocation (args in declared order) and is answered ephemerally with flags 64', async () => {
    behaviour = async (invocation) => h.adapter.reply(invocation, { text: `starting **${invocation.args[2]}**` });
    const interaction = h.fake.sendInteraction({
      commandName: 'agent',
      subcommand: 'start',
      // Discord sends options in its own order; the spec says model, prompt.
      options: [
        { name: 'prompt', value: 'summarise the thread' },
        { name: 'model', value: 'fast' },
      ],
      channelId: CHANNEL_ID,
      user: { id: '300000000000000007', username: 'carol', nick: 'Caz' },
      permissions: MANAGE_CHANNELS,
    });
    const invocation = await h.nextEvent(isCommand(interaction.id));
    assert.equal(invocation.command, 'agent');
    assert.deepEqual(invocation.args, ['start', 'fast', 'summarise the thread']);
    assert.equal(invocation.rawText, 'start fast summarise the thread');
    assert.deepEqual(invocation.user, { id: '300000000000000007', displayName: 'Caz', isPrivileged: true });
    assert.deepEqual(invocation.channel, { platform: 'discord', channelId: CHANNEL_ID });
    assert.equal(invocation.threadRootId, undefined);
    await eventually(() => interaction.callbacks[0], 'the interaction callback');
    assert.equal(interaction.callbacks.length, 1);
    const [callback] = interaction.callbacks;
    assert.equal(callback?.type, 4);
    assert.equal(callback?.data?.['content'], 'starting **summarise the thread**');
    assert.equal(callback?.data?.['flags'], 64);
    assert.equal('ephemeral' in (callback?.data ?? {}), false);
    assert.deepEqual(callback?.data?.['allowed_mentions'], { parse: ['users'], replied_user: false });
  });

  test('a missing optional value in the middle keeps positions; members without Manage Channels are not privileged', async () => {
    behaviour = async (invocation) => h.adapter.reply(invocation, { text: 'ok' });
    const interaction = h.fake.sendInteraction({ commandName: 'agent', subcommand: 'start', options: [{ name: 'prompt', value: 'hi' }], channelId: CHANNEL_ID, permissions: '0' });
    const invocation = await h.nextEvent(isCommand(interaction.id));
    assert.deepEqual(invocation.args, ['start', '', 'hi']);
    assert.equal(invocation.user.isPrivileged, false);
    await eventually(() => interaction.callbacks[0], 'the interaction callback');
  });

  test('a slow handler is deferred first (ephemeral), then its reply edits the deferred response, then follow-ups', async () => {
    const interaction = h.fake.sendInteraction({ commandName: 'bridge', subcommand: 'status', channelId: EXISTING_THREAD_ID, permissions: (1n << 3n).toString() });
    behaviour = async (invocation) => {
      // Slow on purpose: answer only once the adapter has deferred on our behalf.
      await eventually(() => interaction.callbacks[0], 'the defer');
      await h.adapter.reply(invocation, { text: 'linked to #ops' });
      await h.adapter.reply(invocation, { text: 'and one more thing' });
    };
    const invocation = await h.nextEvent(isCommand(interaction.id));
    assert.equal(invocation.threadRootId, EXISTING_THREAD_ID, 'run inside a thread');
    assert.equal(invocation.channel.channelId, CHANNEL_ID);
    assert.equal(invocation.user.isPrivileged, true, 'Administrator counts as privileged');
    await eventually(() => interaction.followUps[0], 'the follow-up');
    assert.deepEqual(interaction.callbacks, [{ type: 5, data: { flags: 64 } }]);
    assert.equal(interaction.original?.content, 'linked to #ops');
    assert.equal(interaction.followUps[0]?.content, 'and one more thing');
    assert.equal(interaction.followUps[0]?.flags, 64);
    const edit = h.fake.state.calls.find((call) => call.method === 'PATCH' && call.path.endsWith('/messages/@original'));
    assert.equal((edit?.body as { content?: string }).content, 'linked to #ops');
    assert.deepEqual((edit?.body as { allowed_mentions?: unknown }).allowed_mentions, { parse: ['users'], replied_user: false });
  });

  test('a public reply after an ephemeral defer replaces the deferred response', async () => {
    const interaction = h.fake.sendInteraction({ commandName: 'bridge', subcommand: 'status', channelId: CHANNEL_ID });
    behaviour = async (invocation) => {
      await eventually(() => interaction.callbacks[0], 'the defer');
      await h.adapter.reply(invocation, { text: 'for everyone' }, { ephemeral: false });
    };
    await h.nextEvent(isCommand(interaction.id));
    await eventually(() => interaction.followUps[0], 'the public follow-up');
    assert.equal(interaction.original, undefined, 'the ephemeral placeholder was deleted');
    assert.equal(interaction.followUps[0]?.content, 'for everyone');
    assert.equal(interaction.followUps[0]?.flags, 0);
  });
});
