import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { LINK_STATUS_KV, type LinkStatus } from '../../../src/commands/bridge-link-status.js';
import { bridgeUsage } from '../../../src/commands/bridge-parse.js';
import { copyPartition, mirrorPartition } from '../../../src/delivery/sections.js';
import { type BridgeHarness, DISCORD_CHANNEL, SLACK_CHANNEL, startBridgeHarness } from './bridge-harness.js';

async function withHarness(fn: (h: BridgeHarness) => Promise<void>, options?: Parameters<typeof startBridgeHarness>[0]): Promise<void> {
  const h = await startBridgeHarness(options);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

/** Routes that reached the fake, token exchanges left out. */
function routes(h: BridgeHarness): string[] {
  return h.fake.state.requests.filter((r) => r.route !== 'token').map((r) => `${r.method} ${r.route ?? r.path}`);
}

const LINKED = (conv: string): string => `Linked. Messages here now go to \`${conv}\` and agents' replies come back here. Earlier messages are not copied.`;

test('link checks the conversation by a first read and the block list, then saves the link and the cursor', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    const author = h.fake.createAgent();
    h.fake.addMembers(conv, [author.agentId]);
    h.fake.postAs(author.agentId, { conversationId: conv, content: 'history, not to be replayed' });

    assert.equal(await h.run(`link ${conv}`), LINKED(conv));
    assert.deepEqual(routes(h), ['GET listMessages', 'GET listBlocks']);
    assert.deepEqual(h.fake.requestsTo('listMessages')[0]?.query, { limit: '1' });
    const link = await h.store.links.get(SLACK_CHANNEL);
    assert.equal(link?.conversationId, conv);
    assert.equal(link?.linkedBy, 'U0ADMIN');
    assert.equal(link?.paused, false);
    assert.deepEqual(h.changes, [[SLACK_CHANNEL]]);

    // Mirroring starts from the saved cursor: the old message is behind it, a new one after it.
    const cursor = await h.store.cursors.get(conv);
    assert.ok(cursor);
    assert.deepEqual((await h.client.readMessagesSince({ conversationId: conv, cursor })).messages, []);
    h.fake.postAs(author.agentId, { conversationId: conv, content: 'new' });
    assert.deepEqual(
      (await h.client.readMessagesSince({ conversationId: conv, cursor })).messages.map((m) => m.content),
      ['new'],
    );
    assert.equal(h.log.lines.find((l) => l['msg'] === 'channel linked')?.['conversationId'], conv);
  }));

test('a second channel on the same conversation keeps the mirror cursor and is told about the first (three-way)', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    await h.run(`link ${conv}`);
    await h.store.cursors.saveDelivered(conv, 'cursor-of-the-mirror');
    const answer = await h.run(`link ${conv}`, { channel: DISCORD_CHANNEL });
    assert.equal(answer, `${LINKED(conv)}\nA Slack channel is linked to it too: messages in any of these channels reach the others as well.`);
    assert.equal(await h.store.cursors.get(conv), 'cursor-of-the-mirror');
    const linked = (await h.store.links.channelsFor(conv)).map((c) => `${c.platform}:${c.channelId}`).sort();
    assert.deepEqual(linked, ['discord:200000000000000001', 'slack:C0GENERAL']);
  }));

test('a stale cursor of a conversation nobody is linked to any more is replaced, so the gap is not replayed', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    await h.store.cursors.saveDelivered(conv, 'left-from-an-old-link');
    await h.run(`link ${conv}`);
    const cursor = await h.store.cursors.get(conv);
    assert.notEqual(cursor, 'left-from-an-old-link');
    assert.deepEqual((await h.client.readMessagesSince({ conversationId: conv, cursor: cursor ?? '' })).messages, []);
  }));

test('link to a conversation the bridge is not a member of names the agent to add, and saves nothing', () =>
  withHarness(async (h) => {
    const owner = h.fake.createAgent();
    const conv = h.fake.createConversation({ creatorId: owner.agentId }).conversationId;
    assert.equal(
      await h.run(`link ${conv}`),
      `The bridge's agent is not a member of \`${conv}\`: ask its owner to add \`${h.bridge.agentId}\` (the bridge's agent ID), then link again.`,
    );
    assert.deepEqual(routes(h), ['GET listMessages']);
    assert.equal(await h.store.links.get(SLACK_CHANNEL), undefined);
    assert.equal(await h.store.cursors.get(conv), undefined);
    assert.deepEqual(h.changes, []);
  }));

test('link to an unknown conversation says there is none', () =>
  withHarness(async (h) => {
    const conv = `conv_${randomUUID()}`;
    assert.equal(await h.run(`link ${conv}`), `There is no conversation \`${conv}\` (or the bridge cannot see it). Check the ID.`);
    assert.equal(await h.store.links.get(SLACK_CHANNEL), undefined);
  }));

test('a plain-text 403 from the auth middleware is about credentials, not membership', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    h.fake.inject({ kind: 'status', status: 403, text: 'Forbidden' }, { route: 'listMessages' });
    assert.equal(await h.run(`link ${conv}`), "The bridge's Fluxra credentials are not accepted: tell an admin.");
    assert.equal(await h.store.links.get(SLACK_CHANNEL), undefined);
  }));

test('rate limits and server errors on any step leave the channel unlinked', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    h.fake.inject({ kind: 'rateLimit', retryAfter: '7' }, { route: 'listMessages' });
    assert.equal(await h.run(`link ${conv}`), 'Fluxra is asking the bridge to slow down; try again in 7 s.');
    h.fake.inject({ kind: 'status', status: 503, json: { error: { code: 'INTERNAL_ERROR', message: 'down' } } }, { route: 'listBlocks' });
    assert.equal(await h.run(`link ${conv}`), 'Fluxra had a problem (HTTP 503); try again in a minute.');
    h.fake.inject({ kind: 'status', status: 500, json: { error: { code: 'INTERNAL_ERROR', message: 'down' } } }, { route: 'createConversation' });
    assert.equal(await h.run('link new'), 'Fluxra had a problem (HTTP 500); try again in a minute.');
    assert.equal(await h.store.links.get(SLACK_CHANNEL), undefined);
    assert.equal(await h.store.cursors.get(conv), undefined);
    assert.deepEqual(h.changes, []);
    // Once Fluxra recovers, the same command works.
    assert.equal(await h.run(`link ${conv}`), LINKED(conv));
  }));

test('link to a conversation the bridge has blocked is refused with how to unblock', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    h.fake.blockFrom(h.bridge.agentId, conv, 'group');
    const block = [...h.fake.state.blocks.values()][0];
    assert.ok(block);
    assert.equal(
      await h.run(`link ${conv.toUpperCase()}`),
      `The bridge has blocked \`${conv}\` (block \`${block.blockId}\`), so it cannot post into it. Remove the block with \`/block remove ${conv}\`, then link again.`,
    );
    assert.equal(await h.store.links.get(SLACK_CHANNEL), undefined);
  }));

test('linking an already linked channel: same conversation says so, another asks to unlink first; nothing is sent', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    const other = h.conversation();
    await h.run(`link ${conv}`);
    const seen = h.fake.state.requests.length;
    assert.equal(await h.run(`link ${conv}`), `This channel is already linked to \`${conv}\`. See \`/bridge status\`.`);
    assert.equal(await h.run(`link ${other}`), `This channel is already linked to \`${conv}\`. Unlink it first with \`/bridge unlink\`, then link again.`);
    assert.equal(await h.run('link new'), `This channel is already linked to \`${conv}\`. Unlink it first with \`/bridge unlink\`, then link again.`);
    assert.equal(h.fake.state.requests.length, seen);
    assert.equal((await h.store.links.get(SLACK_CHANNEL))?.conversationId, conv);
  }));

test('link new creates a group conversation named after the channel and links it', () =>
  withHarness(async (h) => {
    const answer = await h.run('link new', { channel: DISCORD_CHANNEL });
    const [created] = [...h.fake.state.conversations.values()];
    assert.ok(created);
    assert.deepEqual(h.fake.requestsTo('createConversation')[0]?.body, { type: 'group', name: 'discord-200000000000000001', member_ids: [] });
    assert.deepEqual(created.memberIds, [h.bridge.agentId]);
    const conv = created.conversationId;
    assert.equal(
      answer,
      [
        `Created the Fluxra conversation \`discord-200000000000000001\` (\`${conv}\`) and linked this channel to it. Messages here now go to \`${conv}\` and agents' replies come back here. Earlier messages are not copied.`,
        `Agents take part once they are members of it: give \`${conv}\` to their owners.`,
      ].join('\n'),
    );
    assert.equal((await h.store.links.get(DISCORD_CHANNEL))?.conversationId, conv);
    assert.ok(await h.store.cursors.get(conv));
    assert.deepEqual(h.changes, [[DISCORD_CHANNEL]]);
  }));

test('link new with a name uses it; a name Fluxra refuses gets a short answer', () =>
  withHarness(async (h) => {
    assert.match(await h.run('link new ops-room'), /^Created the Fluxra conversation `ops-room` \(`conv_[0-9a-f-]{36}`\)/);
    assert.equal(h.fake.requestsTo('createConversation')[0]?.body && (h.fake.requestsTo('createConversation')[0]?.body as { name: string }).name, 'ops-room');
    h.fake.inject({ kind: 'status', status: 400, json: { error: { code: 'INVALID_REQUEST', message: 'name taken' } } }, { route: 'createConversation' });
    assert.equal(await h.run('link new taken', { channel: DISCORD_CHANNEL }), 'Fluxra did not accept `taken` as a conversation name; try another: `/bridge link new <name>`.');
    assert.equal(await h.store.links.get(DISCORD_CHANNEL), undefined);
  }));

test('link new still links when the first read of the new conversation fails (it has no history to skip)', () =>
  withHarness(async (h) => {
    h.fake.inject({ kind: 'status', status: 503, json: { error: { code: 'INTERNAL_ERROR', message: 'down' } } }, { route: 'listMessages' });
    assert.match(await h.run('link new'), /^Created the Fluxra conversation `slack-C0GENERAL`/);
    const link = await h.store.links.get(SLACK_CHANNEL);
    assert.ok(link);
    assert.equal(await h.store.cursors.get(link.conversationId), undefined);
    assert.ok(h.log.lines.some((l) => l['level'] === 40 && String(l['msg']).startsWith('first read of a new conversation failed')));
  }));

test('unlink removes this channel only, names the conversation and who stays', () =>
  withHarness(async (h) => {
    assert.equal(await h.run('unlink'), 'This channel is not linked to a Fluxra conversation.');
    const conv = h.conversation();
    await h.run(`link ${conv}`);
    await h.run(`link ${conv}`, { channel: DISCORD_CHANNEL });
    h.changes.length = 0;
    assert.equal(
      await h.run('unlink'),
      `Unlinked this channel from \`${conv}\`: messages here no longer go to Fluxra, and nothing comes back.\nA Discord channel stays linked to it.`,
    );
    assert.equal(await h.store.links.get(SLACK_CHANNEL), undefined);
    assert.equal((await h.store.links.get(DISCORD_CHANNEL))?.conversationId, conv);
    assert.deepEqual(h.changes, [[SLACK_CHANNEL]]);
    assert.equal(await h.run('unlink', { channel: DISCORD_CHANNEL }), `Unlinked this channel from \`${conv}\`: messages here no longer go to Fluxra, and nothing comes back.`);
    assert.deepEqual(await h.store.links.channelsFor(conv), []);
  }));

test('status of an unlinked channel says how to link it', () =>
  withHarness(async (h) => {
    assert.equal(await h.run('status'), 'This channel is not linked to a Fluxra conversation. Link it with `/bridge link conv_…` or `/bridge link new`.');
    assert.deepEqual(routes(h), []);
  }));

test('status shows the link, the other channels from each side, and the last delivery', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    await h.run(`link ${conv}`);
    await h.run(`link ${conv}`, { channel: DISCORD_CHANNEL });
    const fromSlack = await h.run('status');
    assert.equal(
      fromSlack,
      [
        `This channel is linked to the Fluxra conversation \`${conv}\` (since ${fromSlack.match(/since ([^,]+, \d\d:\d\d UTC)/)?.[1]}, by <@slack:U0ADMIN|U0ADMIN>).`,
        '• Mirroring: on',
        '• Also linked: a Discord channel',
        '• Last delivery: no messages yet',
      ].join('\n'),
    );
    const record: LinkStatus = { lastDeliveryAt: Date.UTC(2026, 3, 3, 20, 1), lastDirection: 'from-fluxra' };
    await h.store.kv<LinkStatus>(LINK_STATUS_KV).set(conv, record);
    const fromDiscord = (await h.run('status', { channel: DISCORD_CHANNEL })).split('\n');
    assert.match(
      fromDiscord[0] ?? '',
      new RegExp(`^This channel is linked to the Fluxra conversation \`${conv}\` \\(since .*, by <@discord:300000000000000001\\|300000000000000001>\\)\\.$`),
    );
    assert.equal(fromDiscord[2], '• Also linked: a Slack channel');
    assert.equal(fromDiscord[3], '• Last delivery: 3 Apr 2026, 20:01 UTC, from Fluxra to chat');
    // The Slack side, with a Slack neighbour, gets a channel reference.
    await h.run(`link ${conv}`, { channel: { platform: 'slack', channelId: 'C0RANDOM' } });
    assert.equal((await h.run('status')).split('\n')[2], '• Also linked: <#C0RANDOM>, a Discord channel');
  }));

test('status shows a paused link and why; a record of an unexpected shape reads as unknown', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    await h.run(`link ${conv}`);
    await h.run(`link ${conv}`, { channel: DISCORD_CHANNEL });
    await h.store.links.pause(SLACK_CHANNEL, 'blocked by /block');
    await h.store.links.pause(DISCORD_CHANNEL, 'too many failures <!here>');
    await h.store.kv(LINK_STATUS_KV).set(conv, { lastDeliveryAt: 'yesterday', lastDirection: '<@U1>' });
    const slack = (await h.run('status')).split('\n');
    assert.equal(slack[1], `• Mirroring: paused (\`blocked by /block\`): the bridge has blocked the conversation; \`/block remove ${conv}\` resumes it`);
    assert.equal(slack[2], '• Also linked: a Discord channel (paused)');
    assert.equal(slack[3], '• Last delivery: at an unknown time, `\uFFFD\uFFFDU1\uFFFD`');
    const discord = (await h.run('status', { channel: DISCORD_CHANNEL })).split('\n');
    assert.equal(discord[1], '• Mirroring: paused (`too many failures \uFFFD!here\uFFFD`)');
  }));

test('only allowed people may link or unlink; help and status are open to everyone', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    const refusal = "Only workspace admins and owners or people on the bridge's allow-list can manage bridge links; ask an admin.";
    assert.equal(await h.run(`link ${conv}`, { userId: 'U0NOBODY' }), refusal);
    assert.match(await h.run('status', { userId: 'U0NOBODY' }), /^This channel is not linked to a Fluxra conversation./);
    assert.equal(await h.run('unlink', { userId: 'U0NOBODY' }), refusal);
    assert.equal(
      await h.run('link new', { channel: DISCORD_CHANNEL, userId: '300000000000000009' }),
      "Only members who can manage channels or people on the bridge's allow-list can manage bridge links; ask an admin.",
    );
    assert.deepEqual(routes(h), []);
    assert.equal(await h.run('help', { userId: 'U0NOBODY' }), bridgeUsage('bridge'));
    assert.equal(await h.run('', { userId: 'U0NOBODY' }), bridgeUsage('bridge'));
    // A workspace admin passes without being on the list.
    assert.equal(await h.run(`link ${conv}`, { userId: 'U0OWNER', privileged: true }), LINKED(conv));
  }));

test('a failing wake-up of the mirror does not undo the link or the answer', () =>
  withHarness(
    async (h) => {
      const conv = h.conversation();
      assert.equal(await h.run(`link ${conv}`), LINKED(conv));
      assert.equal((await h.store.links.get(SLACK_CHANNEL))?.conversationId, conv);
      assert.ok(h.log.lines.some((l) => l['level'] === 40 && String(l['msg']) === 'could not signal the link change: Error: mirror is stopping'));
    },
    {
      onLinksChanged: () => {
        throw new Error('mirror is stopping');
      },
    },
  ));

test('any member may read /bridge status of a linked channel; unlinking stays with privileged people', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    await h.run(`link ${conv}`);
    const member = { userId: 'U0MEMBER', privileged: false };
    assert.match(await h.run('status', member), new RegExp(`^This channel is linked to the Fluxra conversation \`${conv}\``));
    assert.doesNotMatch(await h.run('unlink', member), /^Unlinked/);
    assert.equal((await h.store.links.get(SLACK_CHANNEL))?.conversationId, conv, 'still linked');
  }));

test('status counts the channel’s dead letters, of both stages, and only that channel’s', () =>
  withHarness(async (h) => {
    const conv = h.conversation();
    await h.run(`link ${conv}`);
    assert.ok(!(await h.run('status')).includes('Not delivered'), 'nothing said while there are none');
    const dead = (id: string, partition: string) => h.store.deadLetters.add({ id, partition, item: { kind: 'message' }, enqueuedAt: 0, attempts: 3 }, 'refused by Fluxra (404)');
    await dead('o1', mirrorPartition(SLACK_CHANNEL));
    await dead('o2', copyPartition(SLACK_CHANNEL));
    await dead('o3', mirrorPartition(DISCORD_CHANNEL));
    assert.equal(
      (await h.run('status')).split('\n').at(-1),
      '• Not delivered: 2 messages failed for good and are kept as dead letters; a bridge operator can retry or drop them (`fluxra-bridge deadletters`)',
    );
  }));
