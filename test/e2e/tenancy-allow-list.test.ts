/**
 * `discord.allowedGuildIds` (issue 14): with the list set, a message and a command from a
 * server not on it make no request upstream and store nothing; the server is logged once,
 * not once per event. The listed server works as before.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '../support/eventually.js';
import { CHANNEL_A, CHANNEL_B, GUILD_A, GUILD_B, MANAGE_CHANNELS, MOD_A, MOD_B, startTenancyWorld, type TenancyWorld } from './tenancy-harness.js';

let world: TenancyWorld;

before(async () => {
  world = await startTenancyWorld({ allowedGuildIds: [GUILD_A] });
});

after(async () => {
  await world.close();
});

test('a message and a command from a server not on the allow-list reach nothing upstream', async () => {
  const conversationId = world.fluxra.createConversation({ creatorId: world.bridgeAgent.agentId, name: 'listed' }).conversationId;
  assert.match(
    await world.command({ channelId: CHANNEL_A, user: MOD_A, commandName: 'bridge', subcommand: 'link', options: [{ name: 'conversation', value: conversationId }] }),
    /^Linked\./,
  );
  const before = world.fluxra.state.requests.length;

  // From guild B: two messages, a mention-free post and a command; none may reach Fluxra.
  world.discord.sendMessage({ channelId: CHANNEL_B, content: 'from an unlisted server', author: MOD_B });
  world.discord.sendMessage({ channelId: CHANNEL_B, content: 'and again', author: MOD_B });
  const ignored = world.discord.sendInteraction({
    commandName: 'bridge',
    subcommand: 'link',
    options: [{ name: 'conversation', value: 'new' }],
    channelId: CHANNEL_B,
    user: MOD_B,
    permissions: MANAGE_CHANNELS,
  });
  // A message from the listed server afterwards: once it is in Fluxra, B's events were handled before it.
  world.discord.sendMessage({ channelId: CHANNEL_A, content: 'from the listed server', author: MOD_A });
  await eventually(() => [...world.fluxra.state.messages.values()].some((m) => m.content.includes('from the listed server')), 'the listed message in Fluxra');

  const upstream = world.fluxra.state.requests.slice(before);
  assert.ok(!upstream.some((r) => JSON.stringify(r.body ?? '').includes('unlisted') || JSON.stringify(r.body ?? '').includes('and again')), 'nothing of B reached Fluxra');
  assert.ok(!upstream.some((r) => r.method === 'POST' && r.path === '/api/conversations'), 'the command created no conversation');
  assert.equal(ignored.callbacks.length, 0, 'the command was not answered: strangers get nothing');
  assert.equal(await world.bridge.store.links.get({ platform: 'discord', channelId: CHANNEL_B }), undefined);
  const notices = world.logs.filter((line) => String(line['msg']).includes('not on the allow-list'));
  assert.equal(notices.length, 1, 'one log line for the unknown server, not one per event');
  assert.equal(notices[0]?.['placeId'], GUILD_B);
});
