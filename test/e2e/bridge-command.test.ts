/**
 * `/bridge` (and `/block`'s pause/resume of links) end to end through both platforms at
 * once: the real Bolt app in Socket Mode on the fake Slack and the real discord.js client on
 * the fake Discord, one router with `/block` and `/bridge` over one real store, the real
 * Fluxra client on the fake Fluxra. A slash command or an interaction goes in; what reached
 * Fluxra, what the store holds and what the person was answered (ephemerally) come out.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { LINK_STATUS_KV, type LinkStatus } from '../../src/commands/bridge-link-status.js';
import type { CommandRouter } from '../../src/commands/router.js';
import type { ChannelRef } from '../../src/core/chat.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/platforms/discord/index.js';
import { createSlackAdapter, type SlackAdapter } from '../../src/platforms/slack/index.js';
import { createFakeDiscord, type FakeDiscord, type FakeInteraction } from '../../src/simulators/discord.js';
import { createFakeSlack, type FakeSlack } from '../../src/simulators/slack.js';
import { ADMIN, createLinkRouter, DISCORD_ADMIN, openTempStore, type TempStore } from '../unit/commands/bridge-harness.js';
import { type FluxraBackend, startFluxraBackend } from '../unit/commands/fluxra-harness.js';
import { captureLogger } from '../unit/commands/helpers.js';

const SLACK_TOKENS = {
  botToken: 'xoxb-1111_2222_fakebottoken',
  appToken: 'xapp-1-A111-3333-fakeapptoken',
  signingSecret: 'fake-signing-secret-0123456789',
} as const;
const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.fake00.token-for-tests-only-0000';
const GUILD_ID = '100000000000000001';
const SLACK_GENERAL = 'C0GENERAL';
const SLACK_RANDOM = 'C0RANDOM';
const DISCORD_GENERAL = '200000000000000001';
const SLACK_STRANGER = 'U0NOBODY';
const DISCORD_ALLOWED = { id: DISCORD_ADMIN, username: 'alice' };
const DISCORD_STRANGER = { id: '300000000000000002', username: 'mallory' };
const EPHEMERAL = 1 << 6;

let fluxra: FluxraBackend;
let temp: TempStore;
let slack: FakeSlack;
let discord: FakeDiscord;
let slackAdapter: SlackAdapter;
let discordAdapter: DiscordAdapter;
let router: CommandRouter;
const changes: ChannelRef[][] = [];

before(async () => {
  fluxra = await startFluxraBackend();
  temp = await openTempStore();
  slack = await createFakeSlack({
    ...SLACK_TOKENS,
    users: [
      { id: ADMIN, name: 'ada' },
      { id: SLACK_STRANGER, name: 'mallory' },
    ],
    channels: [
      { id: SLACK_GENERAL, name: 'general' },
      { id: SLACK_RANDOM, name: 'random' },
    ],
  });
  discord = await createFakeDiscord({ token: DISCORD_TOKEN, applicationId: '400000000000000001', guildId: GUILD_ID, channels: [{ id: DISCORD_GENERAL, name: 'general' }] });
  const log = captureLogger('warn');
  router = createLinkRouter({ backend: fluxra, store: temp.store, logger: log.logger, onLinksChanged: (channels) => changes.push(channels) });
  slackAdapter = createSlackAdapter(
    { ...SLACK_TOKENS, mode: 'socket', port: 0, apiUrl: slack.apiUrl, commandNames: router.specs.map((spec) => spec.name), clientRetries: 0 },
    { logger: log.logger },
  );
  discordAdapter = createDiscordAdapter({ token: DISCORD_TOKEN, apiUrl: discord.apiUrl, commands: [...router.specs], restRetries: 0 }, { logger: log.logger });
  // As the composition root wires them: one router behind both platforms.
  for (const adapter of [slackAdapter, discordAdapter]) {
    adapter.onEvent(async (e) => {
      if (e.kind === 'command') await router.handle(e, adapter);
    });
  }
  await slackAdapter.start();
  await slack.waitForSocket();
  await discordAdapter.start();
});

after(async () => {
  await discordAdapter.stop();
  await slackAdapter.stop();
  await discord.close();
  await slack.close();
  await fluxra.close();
  await temp.close();
});

beforeEach(async () => {
  // Each test starts with no links and no blocks.
  for (const { channel } of await temp.store.links.list()) await temp.store.links.unlink(channel);
  fluxra.fake.state.blocks.clear();
  changes.length = 0;
});

/** `/<command> <text>` from Slack; returns the ephemeral answer posted to the response_url. */
async function fromSlack(text: string, options: { command?: string; channelId?: string; userId?: string } = {}): Promise<string> {
  const command = options.command ?? 'bridge';
  const seen = slack.state.responses.length;
  await slack.deliverCommand({ command, text, channelId: options.channelId ?? SLACK_GENERAL, userId: options.userId ?? ADMIN }, { via: 'socket' });
  const response = await slack.state.waitFor(() => slack.state.responses[seen], `the answer to /${command} ${text.slice(0, 40)}`);
  assert.equal(response.body['response_type'], 'ephemeral');
  return String(response.body['text']);
}

async function answerOf(record: FakeInteraction): Promise<{ content: string; flags: number }> {
  for (let i = 0; i < 500; i += 1) {
    const callback = record.callbacks.find((c) => c.type === 4);
    if (callback) return { content: String(callback.data?.['content'] ?? ''), flags: Number(callback.data?.['flags'] ?? 0) };
    if (record.original?.content) return { content: record.original.content, flags: Number(record.original.flags ?? 0) };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the interaction was never answered');
}

/** `/<command> <subcommand> options…` from Discord; returns the ephemeral answer. */
async function fromDiscord(
  subcommand: string,
  options: Array<{ name: string; value: string }> = [],
  as: { command?: string; user?: { id: string; username: string } } = {},
): Promise<string> {
  const record = discord.sendInteraction({
    commandName: as.command ?? 'bridge',
    subcommand,
    options,
    channelId: DISCORD_GENERAL,
    user: as.user ?? DISCORD_ALLOWED,
    permissions: '0',
  });
  const answer = await answerOf(record);
  assert.equal(answer.flags & EPHEMERAL, EPHEMERAL, 'answered ephemerally');
  return answer.content;
}

function conversation(): string {
  return fluxra.fake.createConversation({ creatorId: fluxra.bridge.agentId }).conversationId;
}

const SLACK_REF: ChannelRef = { platform: 'slack', channelId: SLACK_GENERAL };
const DISCORD_REF: ChannelRef = { platform: 'discord', channelId: DISCORD_GENERAL };

test('registers /bridge on Discord with link, unlink, share, status and help', async () => {
  await discordAdapter.registerCommands([...router.specs], { guildId: GUILD_ID });
  const registered = (discord.state.commands.get(GUILD_ID) ?? []) as Array<{ name: string; options: Array<{ name: string; options: Array<{ name: string; required: boolean }> }> }>;
  const bridge = registered.find((command) => command.name === 'bridge');
  assert.ok(bridge);
  assert.deepEqual(
    bridge.options.map((o) => o.name),
    ['link', 'unlink', 'share', 'status', 'help'],
  );
  assert.deepEqual(
    bridge.options[0]?.options.map((o) => [o.name, o.required]),
    [
      ['conversation', true],
      ['name', false],
    ],
  );
});

test('link, status and unlink from Slack', async () => {
  const conv = conversation();
  assert.equal(await fromSlack(`link ${conv}`), `Linked. Messages here now go to \`${conv}\` and agents' replies come back here. Earlier messages are not copied.`);
  assert.equal((await temp.store.links.get(SLACK_REF))?.conversationId, conv);
  assert.ok(await temp.store.cursors.get(conv));
  assert.deepEqual(changes, [[SLACK_REF]]);
  const status = (await fromSlack('status')).split('\n');
  assert.match(status[0] ?? '', new RegExp(`^This channel is linked to the Fluxra conversation \`${conv}\` \\(since .+, by <@${ADMIN}>\\)\\.$`));
  assert.deepEqual(status.slice(1), ['• Mirroring: on', '• Also linked: no other channel', '• Last delivery: no messages yet']);
  assert.equal(await fromSlack('unlink'), `Unlinked this channel from \`${conv}\`: messages here no longer go to Fluxra, and nothing comes back.`);
  assert.equal(await fromSlack('unlink'), 'This channel is not linked to a Fluxra conversation.');
});

test('link new, status and unlink from Discord', async () => {
  const answer = await fromDiscord('link', [
    { name: 'conversation', value: 'new' },
    { name: 'name', value: 'ops-room' },
  ]);
  const created = [...fluxra.fake.state.conversations.values()].find((c) => c.name === 'ops-room');
  assert.ok(created);
  assert.match(answer, new RegExp(`^Created the Fluxra conversation \`ops-room\` \\(\`${created.conversationId}\`\\) and linked this channel to it\\.`));
  assert.equal((await temp.store.links.get(DISCORD_REF))?.conversationId, created.conversationId);
  assert.match(
    await fromDiscord('status'),
    new RegExp(`^This channel is linked to the Fluxra conversation \`${created.conversationId}\` \\(since .+, by <@${DISCORD_ADMIN}>\\)\\.\\n• Mirroring: on\\n`),
  );
  assert.equal(await fromDiscord('unlink'), `Unlinked this channel from \`${created.conversationId}\`: messages here no longer go to Fluxra, and nothing comes back.`);
  assert.equal(await temp.store.links.get(DISCORD_REF), undefined);
});

test('link new from Slack without a name names the conversation after the channel', async () => {
  const answer = await fromSlack('link new', { channelId: SLACK_RANDOM });
  assert.match(answer, /^Created the Fluxra conversation `slack-C0RANDOM` \(`conv_[0-9a-f-]{36}`\)/);
  await fromSlack('unlink', { channelId: SLACK_RANDOM });
});

test('a three-way link (one Slack and one Discord channel on one conversation) shows in the status from both sides', async () => {
  const conv = conversation();
  await fromSlack(`link ${conv}`);
  const second = await fromDiscord('link', [{ name: 'conversation', value: conv }]);
  assert.ok(second.endsWith('\nA Slack channel is linked to it too: messages in any of these channels reach the others as well.'), second);
  await temp.store.kv<LinkStatus>(LINK_STATUS_KV).set(conv, { lastDeliveryAt: Date.UTC(2026, 3, 3, 20, 1), lastDirection: 'to-fluxra' });
  const onSlack = (await fromSlack('status')).split('\n');
  assert.deepEqual(onSlack.slice(2), ['• Also linked: a Discord channel', '• Last delivery: 3 Apr 2026, 20:01 UTC, from chat to Fluxra']);
  const onDiscord = (await fromDiscord('status')).split('\n');
  assert.deepEqual(onDiscord.slice(2), ['• Also linked: a Slack channel', '• Last delivery: 3 Apr 2026, 20:01 UTC, from chat to Fluxra']);
  // Unlinking one side leaves the other linked.
  assert.match(await fromSlack('unlink'), /\nA Discord channel stays linked to it\.$/);
  assert.equal((await temp.store.links.get(DISCORD_REF))?.conversationId, conv);
  assert.equal((await fromDiscord('status')).split('\n')[2], '• Also linked: no other channel');
});

test('people who are not allowed are refused on both platforms, before Fluxra or the store', async () => {
  const conv = conversation();
  const seen = fluxra.fake.state.requests.length;
  assert.equal(
    await fromSlack(`link ${conv}`, { userId: SLACK_STRANGER }),
    "Only workspace admins and owners or people on the bridge's allow-list can manage bridge links; ask an admin.",
  );
  assert.equal(
    await fromDiscord('link', [{ name: 'conversation', value: conv }], { user: DISCORD_STRANGER }),
    "Only members who can manage channels or people on the bridge's allow-list can manage bridge links; ask an admin.",
  );
  assert.equal(fluxra.fake.state.requests.length, seen);
  assert.deepEqual(await temp.store.links.list(), []);
  assert.match(await fromSlack('help', { userId: SLACK_STRANGER }), /^`\/bridge` links this channel to a Fluxra group conversation/);
});

test('a conversation the bridge cannot read is refused with what to do', async () => {
  const owner = fluxra.fake.createAgent();
  const foreign = fluxra.fake.createConversation({ creatorId: owner.agentId }).conversationId;
  assert.equal(
    await fromDiscord('link', [{ name: 'conversation', value: foreign }]),
    `The bridge's agent is not a member of \`${foreign}\`: ask its owner to add \`${fluxra.bridge.agentId}\` (the bridge's agent ID), then link again.`,
  );
  assert.match(await fromSlack('link ../../api/blocks'), /^`\.\.\/\.\.\/api\/blocks` is not a conversation ID \(conv_…\): IDs never contain `\/`\./);
  assert.deepEqual(await temp.store.links.list(), []);
});

test('blocking a linked conversation pauses its links on both platforms; removing the block resumes them', async () => {
  const conv = conversation();
  await fromSlack(`link ${conv}`);
  await fromDiscord('link', [{ name: 'conversation', value: conv }]);
  changes.length = 0;

  const blocked = await fromDiscord('conversation', [], { command: 'block' });
  assert.match(blocked, new RegExp(`^Blocked conversation \`${conv}\``));
  assert.ok(blocked.endsWith('\nMirroring is paused for <#200000000000000001> and a Slack channel (linked to it) until the block is removed.'), blocked);
  assert.equal((await temp.store.links.get(SLACK_REF))?.paused, true);
  assert.equal((await temp.store.links.get(DISCORD_REF))?.paused, true);
  assert.equal(changes.length, 1);
  assert.match((await fromSlack('status')).split('\n')[1] ?? '', /^• Mirroring: paused \(`blocked by \/block`\): the bridge has blocked the conversation; `\/block remove conv_/);
  // Linking another channel to a blocked conversation is refused.
  assert.match(
    await fromSlack(`link ${conv}`, { channelId: SLACK_RANDOM }),
    /^The bridge has blocked `conv_[^`]+` \(block `blk_[^`]+`\), so it cannot post into it\. Remove the block with `\/block remove conv_/,
  );

  const unblocked = await fromSlack(`remove ${conv}`, { command: 'block' });
  assert.ok(unblocked.endsWith('\nMirroring resumes for <#C0GENERAL> and a Discord channel.'), unblocked);
  assert.equal((await temp.store.links.get(SLACK_REF))?.paused, false);
  assert.equal((await temp.store.links.get(DISCORD_REF))?.paused, false);
  assert.equal(changes.length, 2);
  assert.equal((await fromDiscord('status')).split('\n')[1], '• Mirroring: on');
});
