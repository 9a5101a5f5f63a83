/**
 * `/block` end to end from Discord: the real discord.js client on the fake Discord gateway
 * and REST, the real router and `/block`, the real Fluxra client on the fake Fluxra. An
 * interaction goes in; what reached Fluxra and what the person saw (ephemerally) come out.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CommandRouter } from '../../src/commands/router.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/platforms/discord/index.js';
import { createFakeDiscord, type FakeDiscord, type FakeInteraction } from '../../src/simulators/discord.js';
import { createBlockRouter, type FluxraBackend, startFluxraBackend } from '../unit/commands/fluxra-harness.js';
import { captureLogger } from '../unit/commands/helpers.js';

const TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.fake00.token-for-tests-only-0000';
const APP_ID = '400000000000000001';
const GUILD_ID = '100000000000000001';
const CHANNEL_ID = '200000000000000001';
const ALLOWED = { id: '300000000000000001', username: 'alice' };
const STRANGER = { id: '300000000000000002', username: 'mallory' };
const MODERATOR = { id: '300000000000000003', username: 'mod' };
/** Discord's permission bit for Manage Channels. */
const MANAGE_CHANNELS = String(1 << 4);
const EPHEMERAL = 1 << 6;

let fluxra: FluxraBackend;
let discord: FakeDiscord;
let adapter: DiscordAdapter;
let router: CommandRouter;

before(async () => {
  fluxra = await startFluxraBackend();
  discord = await createFakeDiscord({ token: TOKEN, applicationId: APP_ID, guildId: GUILD_ID, channels: [{ id: CHANNEL_ID, name: 'general' }] });
  const log = captureLogger('warn');
  router = createBlockRouter({ fluxra: fluxra.client, logger: log.logger, discordAllowed: [ALLOWED.id] });
  adapter = createDiscordAdapter({ token: TOKEN, apiUrl: discord.apiUrl, commands: [...router.specs], restRetries: 0 }, { logger: log.logger });
  // As the composition root wires it.
  adapter.onEvent(async (e) => {
    if (e.kind === 'command') await router.handle(e, adapter);
  });
  await adapter.start();
});

after(async () => {
  await adapter.stop();
  await discord.close();
  await fluxra.close();
});

/** Waits for the interaction's answer and returns its text and flags. */
async function answerOf(record: FakeInteraction): Promise<{ content: string; flags: number }> {
  for (let i = 0; i < 500; i += 1) {
    const callback = record.callbacks.find((c) => c.type === 4);
    if (callback) return { content: String(callback.data?.['content'] ?? ''), flags: Number(callback.data?.['flags'] ?? 0) };
    if (record.original?.content) return { content: record.original.content, flags: Number(record.original.flags ?? 0) };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the interaction was never answered');
}

async function block(subcommand: string, options: Array<{ name: string; value: string }> = [], user = ALLOWED, permissions = '0'): Promise<string> {
  const record = discord.sendInteraction({ commandName: 'block', subcommand, options, channelId: CHANNEL_ID, user, permissions });
  const answer = await answerOf(record);
  assert.equal(answer.flags & EPHEMERAL, EPHEMERAL, 'answered ephemerally');
  return answer.content;
}

test('registers /block with its subcommands, hidden from members without Manage Channels only when no allow-list', async () => {
  await adapter.registerCommands([...router.specs], { guildId: GUILD_ID });
  const [registered] = (discord.state.commands.get(GUILD_ID) ?? []) as Array<{
    name: string;
    default_member_permissions: string | null;
    options: Array<{ name: string; options: Array<{ name: string; required: boolean }> }>;
  }>;
  assert.ok(registered);
  assert.equal(registered.name, 'block');
  assert.deepEqual(
    registered.options.map((o) => o.name),
    ['agent', 'conversation', 'list', 'remove', 'help'],
  );
  assert.deepEqual(registered.options[0]?.options, [{ type: 3, name: 'agent_id', description: 'The agent ID (agt_…)', required: true }]);
  // There is a Discord allow-list here, so the command stays visible to the people on it.
  assert.equal(registered.default_member_permissions, null);
});

test('/block agent reaches Fluxra and answers the person', async () => {
  const target = fluxra.fake.createAgent();
  const before = fluxra.blockRequests().length;
  const content = await block('agent', [{ name: 'agent_id', value: target.agentId }]);
  const created = [...fluxra.fake.state.blocks.values()].find((b) => b.targetId === target.agentId);
  assert.ok(created);
  assert.deepEqual(fluxra.blockRequests().slice(before), [{ method: 'POST', path: '/api/blocks', query: {}, body: { type: 'agent', target_id: target.agentId } }]);
  assert.equal(content, `Blocked agent \`${target.agentId}\` (block \`${created.blockId}\`). Undo with \`/block remove ${created.blockId}\`.`);
});

test('/block conversation with and without an ID', async () => {
  const conversation = fluxra.fake.createConversation({ creatorId: fluxra.bridge.agentId });
  const content = await block('conversation', [{ name: 'conversation_id', value: conversation.conversationId }]);
  assert.match(content, new RegExp(`^Blocked conversation \`${conversation.conversationId}\``));
  assert.deepEqual(fluxra.blockRequests().at(-1)?.body, { type: 'group', target_id: conversation.conversationId });
  assert.equal(await block('conversation'), 'This channel is not linked to a Fluxra conversation; give one: `/block conversation conv_…`.');
});

test('/block list shows the blocks', async () => {
  const target = fluxra.fake.createAgent();
  fluxra.fake.blockFrom(fluxra.bridge.agentId, target.agentId);
  const content = await block('list');
  assert.match(content, /^\d+ blocks?(, newest first)?:\n/);
  assert.ok(content.includes(`• agent \`${target.agentId}\`, block \``));
  assert.equal(fluxra.blockRequests().at(-1)?.method, 'GET');
});

test('/block remove by block ID and by target', async () => {
  const a = fluxra.fake.createAgent();
  const b = fluxra.fake.createAgent();
  fluxra.fake.blockFrom(fluxra.bridge.agentId, a.agentId);
  fluxra.fake.blockFrom(fluxra.bridge.agentId, b.agentId);
  const blockA = [...fluxra.fake.state.blocks.values()].find((x) => x.targetId === a.agentId);
  assert.ok(blockA);
  assert.equal(await block('remove', [{ name: 'id', value: blockA.blockId }]), `Removed block \`${blockA.blockId}\`.`);
  assert.equal(fluxra.blockRequests().at(-1)?.path, `/api/blocks/${blockA.blockId}`);
  assert.match(await block('remove', [{ name: 'id', value: b.agentId }]), new RegExp(`^Removed the block on agent \`${b.agentId}\``));
  assert.equal(
    [...fluxra.fake.state.blocks.values()].some((x) => x.targetId === a.agentId || x.targetId === b.agentId),
    false,
  );
});

test('/block help answers with the usage', async () => {
  assert.match(await block('help', [], STRANGER), /^`\/block` stops the bridge's Fluxra agent/);
});

test('a member who is not allowed is refused; one with Manage Channels is not', async () => {
  const target = fluxra.fake.createAgent();
  const before = fluxra.blockRequests().length;
  assert.equal(
    await block('agent', [{ name: 'agent_id', value: target.agentId }], STRANGER),
    "Only members who can manage channels or people on the bridge's allow-list can block; ask an admin.",
  );
  assert.equal(fluxra.blockRequests().length, before);
  assert.match(await block('agent', [{ name: 'agent_id', value: target.agentId }], MODERATOR, MANAGE_CHANNELS), /^Blocked agent/);
});

test('bad input is refused before Fluxra, echoed safely', async () => {
  const before = fluxra.blockRequests().length;
  const content = await block('remove', [{ name: 'id', value: 'blk_../../api/agents@everyone' }]);
  assert.match(content, /is not a block ID .*: IDs never contain `\/`\.$/);
  assert.doesNotMatch(content, /@everyone/);
  assert.match(await block('agent', [{ name: 'agent_id', value: 'agt_123' }]), /is not an agent ID/);
  assert.equal(fluxra.blockRequests().length, before);
});

test('a Fluxra error reaches the person as a short answer', async () => {
  fluxra.fake.inject({ kind: 'rateLimit', retryAfter: '12' }, { route: 'listBlocks' });
  assert.equal(await block('list'), 'Fluxra is asking the bridge to slow down; try again in 12 s.');
});
