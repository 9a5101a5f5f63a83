/**
 * Trust boundaries between Discord servers (issue 14), end to end: the fake Discord serves
 * two guilds, the bot is in both, the whole bridge runs on the fakes. Guild A links a
 * conversation; a Manage-Channels member of guild B can neither link it, nor block or
 * unblock it, and nothing of A's channel reaches B, until A hands B a share code.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BLOCKED_NOTICE, RESUMED_NOTICE } from '../../src/mirror/link-notices.js';
import { eventually } from '../support/eventually.js';
import { ADMIN, CHANNEL_A, CHANNEL_B, GUILD_B, MANAGE_CHANNELS, MOD_A, MOD_B, startTenancyWorld, type TenancyWorld } from './tenancy-harness.js';

let world: TenancyWorld;
let conversationId: string;

before(async () => {
  world = await startTenancyWorld({ admins: [ADMIN.id] });
  conversationId = world.fluxra.createConversation({ creatorId: world.bridgeAgent.agentId, name: 'team-a' }).conversationId;
});

after(async () => {
  await world.close();
});

const bridge = (channelId: string, user: { id: string; username: string }, subcommand: string, options: Array<{ name: string; value: string }> = [], id?: string) =>
  world.command({ channelId, user, commandName: 'bridge', subcommand, options, ...(id ? { id } : {}) });
const block = (channelId: string, user: { id: string; username: string }, subcommand: string, options: Array<{ name: string; value: string }> = []) =>
  world.command({ channelId, user, commandName: 'block', subcommand, options });

/** Messages in a Discord channel that were not posted by its people (the bridge's copies). */
const copiesIn = (channelId: string) => world.discord.state.history(channelId).filter((m) => m.webhook_id !== undefined || m.author.id === world.discord.state.botUser.id);

test('another server can neither link, block nor unblock a conversation it does not own; a share code lets it link', async () => {
  // Guild A links the conversation: it becomes A's.
  assert.match(await bridge(CHANNEL_A, MOD_A, 'link', [{ name: 'conversation', value: conversationId }]), /^Linked\./);
  const blockRequests = () => world.fluxra.state.requests.filter((r) => r.path.startsWith('/api/blocks') && r.method !== 'GET').length;
  const requestsBefore = blockRequests();

  // Guild B, with Manage Channels in its own server, tries everything.
  const refusedLink = await bridge(CHANNEL_B, MOD_B, 'link', [{ name: 'conversation', value: conversationId }]);
  assert.match(refusedLink, /cannot link this channel/);
  assert.ok(!refusedLink.includes(CHANNEL_A), 'the refusal names no linked channel');
  // The same answer for a conversation that does not exist at all.
  const missing = 'conv_0f8fad5b-d9cb-469f-a165-70867728950e';
  assert.equal(await bridge(CHANNEL_B, MOD_B, 'link', [{ name: 'conversation', value: missing }]), refusedLink.replace(conversationId, missing));
  assert.match(await block(CHANNEL_B, MOD_B, 'conversation', [{ name: 'conversation_id', value: conversationId }]), /only from a channel linked to it/);
  assert.match(await block(CHANNEL_B, MOD_B, 'remove', [{ name: 'id', value: conversationId }]), /only from a channel linked to it/);
  assert.equal(blockRequests(), requestsBefore, 'no block was created or removed');
  assert.equal(await world.bridge.store.links.get({ platform: 'discord', channelId: CHANNEL_B }), undefined, 'B is not linked');
  assert.equal((await world.bridge.store.links.get({ platform: 'discord', channelId: CHANNEL_A }))?.paused, false, "A's link is not paused");

  // A message in A reaches Fluxra, never B.
  world.discord.sendMessage({ channelId: CHANNEL_A, content: 'for team A only', author: { id: MOD_A.id, username: MOD_A.username } });
  await eventually(
    () => [...world.fluxra.state.messages.values()].some((m) => m.conversationId === conversationId && m.content.includes('for team A only')),
    "A's message in Fluxra",
  );
  assert.deepEqual(copiesIn(CHANNEL_B), []);

  // A shares; B links with the code, once.
  const shared = await bridge(CHANNEL_A, MOD_A, 'share');
  const code = /shr_[0-9a-f]{20}/.exec(shared)?.[0];
  assert.ok(code, shared);
  const linked = await bridge(CHANNEL_B, MOD_B, 'link', [{ name: 'conversation', value: code }]);
  assert.match(linked, /^Linked\./);
  assert.ok(!linked.includes(CHANNEL_A), "the answer does not list the other server's channel");
  assert.equal((await world.bridge.store.links.get({ platform: 'discord', channelId: CHANNEL_B }))?.conversationId, conversationId);

  // Mirroring now works both ways between A and B.
  world.discord.sendMessage({ channelId: CHANNEL_A, content: 'hello B, from A', author: { id: MOD_A.id, username: MOD_A.username } });
  await eventually(() => copiesIn(CHANNEL_B).some((m) => m.content.includes('hello B, from A')), "A's message copied into B");
  assert.ok(!copiesIn(CHANNEL_B).some((m) => m.content.includes('for team A only')), 'what A said before the share stays in A');
});

test('a share code works once, and a replayed /bridge interaction does nothing the second time', async () => {
  const shared = await bridge(CHANNEL_A, MOD_A, 'share');
  const code = /shr_[0-9a-f]{20}/.exec(shared)?.[0];
  assert.ok(code);
  // B unlinks (its own link), then uses the code; a replay of that very interaction does nothing.
  assert.match(await bridge(CHANNEL_B, MOD_B, 'unlink'), /^Unlinked/);
  const interactionId = '990000000000000001';
  assert.match(await bridge(CHANNEL_B, MOD_B, 'link', [{ name: 'conversation', value: code }], interactionId), /^Linked\./);
  // The gateway replays that interaction (as after a RESUME): it is not run again. Discord
  // refuses a second answer to one interaction, so the replay goes unanswered; a later
  // command is answered, and the replay still has no answer then.
  const replay = world.discord.sendInteraction({
    commandName: 'bridge',
    subcommand: 'link',
    options: [{ name: 'conversation', value: code }],
    channelId: CHANNEL_B,
    user: MOD_B,
    permissions: MANAGE_CHANNELS,
    id: interactionId,
  });
  assert.match(await bridge(CHANNEL_B, MOD_B, 'status'), /conv_/);
  assert.equal(replay.callbacks.length, 0, 'the replayed interaction was not run again');
  assert.equal((await world.bridge.store.links.get({ platform: 'discord', channelId: CHANNEL_B }))?.conversationId, conversationId);
  // A fresh request with the used code is refused.
  assert.match(await bridge(CHANNEL_B, MOD_B, 'unlink'), /^Unlinked/);
  assert.match(await bridge(CHANNEL_B, MOD_B, 'link', [{ name: 'conversation', value: code }]), /share code is not valid/);
});

test('/block list shows a server its own blocks; only the maker removes one', async () => {
  const target = world.fluxra.createAgent();
  assert.match(await block(CHANNEL_A, MOD_A, 'agent', [{ name: 'agent_id', value: target.agentId }]), /^Blocked agent/);
  const blockId = [...world.fluxra.state.blocks.values()].find((b) => b.targetId === target.agentId)?.blockId;
  assert.ok(blockId);
  assert.ok((await block(CHANNEL_A, MOD_A, 'list')).includes(blockId));
  assert.ok(!(await block(CHANNEL_B, MOD_B, 'list')).includes(blockId), "B does not see A's block");
  assert.match(await block(CHANNEL_B, MOD_B, 'remove', [{ name: 'id', value: blockId }]), /no block .* of yours/);
  assert.match(await block(CHANNEL_B, MOD_B, 'remove', [{ name: 'id', value: target.agentId }]), /has no block of yours/);
  assert.ok(
    [...world.fluxra.state.blocks.values()].some((b) => b.blockId === blockId),
    'the block is still there',
  );
  assert.match(await block(CHANNEL_A, MOD_A, 'remove', [{ name: 'id', value: blockId }]), /^Removed block/);
});

test('blocking a conversation from its channel posts a public notice there, and so does unblocking it', async () => {
  const botPosts = () =>
    world.discord.state
      .history(CHANNEL_A)
      .filter((m) => m.author.id === world.discord.state.botUser.id)
      .map((m) => m.content);
  assert.match(await block(CHANNEL_A, MOD_A, 'conversation'), /^Blocked conversation/);
  await eventually(() => botPosts().includes(BLOCKED_NOTICE), 'the block notice in the channel');
  assert.equal((await world.bridge.store.links.get({ platform: 'discord', channelId: CHANNEL_A }))?.paused, true);
  assert.match(await block(CHANNEL_A, MOD_A, 'remove', [{ name: 'id', value: conversationId }]), /^Removed the block on conversation/);
  await eventually(() => botPosts().includes(RESUMED_NOTICE), 'the unblock notice in the channel');
  assert.equal((await world.bridge.store.links.get({ platform: 'discord', channelId: CHANNEL_A }))?.paused, false);
});

test('a bridge admin sees every block with its maker, removes any, and links any conversation directly', async () => {
  const target = world.fluxra.createAgent();
  assert.match(await block(CHANNEL_B, MOD_B, 'agent', [{ name: 'agent_id', value: target.agentId }]), /^Blocked agent/);
  const listed = await block(CHANNEL_A, ADMIN, 'list');
  assert.ok(listed.includes(`${target.agentId}\`, block`), listed);
  assert.ok(listed.includes(`(by Discord server \`${GUILD_B}\`)`), listed);
  assert.match(await block(CHANNEL_A, ADMIN, 'remove', [{ name: 'id', value: target.agentId }]), /^Removed the block on agent/);
  // B is not linked any more (see above); the admin links it to A's conversation without a code.
  assert.match(await bridge(CHANNEL_B, ADMIN, 'link', [{ name: 'conversation', value: conversationId }]), /^Linked\./);

  // A blocks the shared conversation: A's answer counts B's channel without naming it; both channels get the notice.
  const answer = await block(CHANNEL_A, MOD_A, 'conversation');
  assert.match(answer, /Mirroring is paused for <#210000000000000001> and 1 channel of other workspaces or servers/);
  assert.ok(!answer.includes(CHANNEL_B), answer);
  const notices = (channelId: string) => world.discord.state.history(channelId).filter((m) => m.content === BLOCKED_NOTICE).length;
  await eventually(() => notices(CHANNEL_B) > 0, "the block notice in B's channel");
});
