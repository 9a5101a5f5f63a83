import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChannelRef } from '../../../src/core/chat.js';
import { createLinksRepository } from '../../../src/store/links.js';
import { forEachBackend } from './fixtures.js';

const slack: ChannelRef = { platform: 'slack', channelId: 'C0123' };
const discord: ChannelRef = { platform: 'discord', channelId: '112233445566778899' };

forEachBackend('links', (fx) => {
  test('links a channel and reads the link back', async () => {
    const store = await fx.open();
    const record = await store.links.link(slack, { conversationId: 'conv-1', linkedBy: 'U1', linkedAt: 1_000 });
    assert.deepEqual(record, { conversationId: 'conv-1', linkedAt: 1_000, linkedBy: 'U1', paused: false });
    assert.deepEqual(await store.links.get(slack), record);
    assert.equal(await store.links.get(discord), undefined);
  });

  test('lists a Slack and a Discord channel linked to the same conversation', async () => {
    const store = await fx.open();
    await store.links.link(slack, { conversationId: 'conv-1', linkedBy: 'U1' });
    await store.links.link(discord, { conversationId: 'conv-1', linkedBy: 'D1' });
    assert.deepEqual(await store.links.channelsFor('conv-1'), [discord, slack]);
    assert.deepEqual(await store.links.conversations(), ['conv-1']);
    assert.deepEqual(await store.links.channelsFor('conv-unknown'), []);
  });

  test('stores only the channel identity even when given a richer ref', async () => {
    const store = await fx.open();
    const messageLike = { platform: 'slack' as const, channelId: 'C0123', messageId: '1.2', meta: { x: 'y' } };
    await store.links.link(messageLike, { conversationId: 'conv-1', linkedBy: 'U1' });
    assert.deepEqual(await store.links.channelsFor('conv-1'), [slack]);
  });

  test('relinking moves the channel from the old conversation to the new one', async () => {
    const store = await fx.open();
    await store.links.link(slack, { conversationId: 'conv-old', linkedBy: 'U1' });
    await store.links.link(discord, { conversationId: 'conv-old', linkedBy: 'U1' });
    await store.links.link(slack, { conversationId: 'conv-new', linkedBy: 'U2' });
    assert.deepEqual(await store.links.channelsFor('conv-old'), [discord]);
    assert.deepEqual(await store.links.channelsFor('conv-new'), [slack]);
    assert.equal((await store.links.get(slack))?.conversationId, 'conv-new');
    assert.deepEqual(await store.links.conversations(), ['conv-new', 'conv-old']);
  });

  test('unlinking removes the link and its reverse entry and returns what it was', async () => {
    const store = await fx.open();
    await store.links.link(slack, { conversationId: 'conv-1', linkedBy: 'U1', linkedAt: 5 });
    const removed = await store.links.unlink(slack);
    assert.deepEqual(removed, { conversationId: 'conv-1', linkedAt: 5, linkedBy: 'U1', paused: false });
    assert.equal(await store.links.get(slack), undefined);
    assert.deepEqual(await store.links.channelsFor('conv-1'), []);
    assert.deepEqual(await store.links.conversations(), []);
    assert.equal(await store.links.unlink(slack), undefined);
  });

  test('pauses with a reason, resumes, and a new link starts unpaused', async () => {
    const store = await fx.open();
    assert.equal(await store.links.pause(slack, 'nobody home'), undefined);
    await store.links.link(slack, { conversationId: 'conv-1', linkedBy: 'U1' });
    const paused = await store.links.pause(slack, 'Fluxra answered 403');
    assert.equal(paused?.paused, true);
    assert.equal(paused?.pausedReason, 'Fluxra answered 403');
    assert.deepEqual(await store.links.get(slack), paused);
    assert.deepEqual(await store.links.channelsFor('conv-1'), [slack], 'a paused channel stays linked');
    const resumed = await store.links.resume(slack);
    assert.equal(resumed?.paused, false);
    assert.equal(resumed?.pausedReason, undefined);
    await store.links.pause(slack, 'again');
    const relinked = await store.links.link(slack, { conversationId: 'conv-1', linkedBy: 'U1' });
    assert.equal(relinked.paused, false);
    assert.equal(relinked.pausedReason, undefined);
  });

  test('list returns every link with its channel', async () => {
    const store = await fx.open();
    await store.links.link(slack, { conversationId: 'conv-a', linkedBy: 'U1', linkedAt: 1 });
    await store.links.link(discord, { conversationId: 'conv-b', linkedBy: 'U2', linkedAt: 2 });
    assert.deepEqual(await store.links.list(), [
      { channel: slack, link: { conversationId: 'conv-a', linkedAt: 1, linkedBy: 'U1', paused: false } },
      { channel: discord, link: { conversationId: 'conv-b', linkedAt: 2, linkedBy: 'U2', paused: false } },
    ]);
  });

  test('keeps the reverse index whole when many channels link at once', async () => {
    const store = await fx.open();
    const channels: ChannelRef[] = Array.from({ length: 30 }, (_, i) => ({ platform: i % 2 ? 'slack' : 'discord', channelId: `ch-${String(i).padStart(2, '0')}` }));
    await Promise.all(channels.map((channel) => store.links.link(channel, { conversationId: 'conv-busy', linkedBy: 'U1' })));
    const listed = await store.links.channelsFor('conv-busy');
    assert.equal(listed.length, 30);
    assert.deepEqual(new Set(listed.map((c) => `${c.platform}/${c.channelId}`)), new Set(channels.map((c) => `${c.platform}/${c.channelId}`)));
  });

  test('concurrent relinks of one channel leave it listed under exactly the conversation it is linked to', async () => {
    const store = await fx.open();
    const targets = ['conv-1', 'conv-2', 'conv-3', 'conv-4', 'conv-5'];
    await Promise.all(targets.map((conversationId) => store.links.link(slack, { conversationId, linkedBy: 'U1' })));
    const current = (await store.links.get(slack))?.conversationId;
    assert.ok(current !== undefined);
    for (const conversationId of targets) {
      assert.deepEqual(await store.links.channelsFor(conversationId), conversationId === current ? [slack] : []);
    }
    assert.deepEqual(await store.links.conversations(), [current]);
  });

  test('ignores a reverse entry that the link record does not confirm (left by a crash)', async () => {
    const store = await fx.open();
    await store.links.link(slack, { conversationId: 'conv-real', linkedBy: 'U1' });
    // The state a crash between "add to the new conversation's index" and "write the record" leaves.
    const backend = await fx.openBackend();
    await backend.maps.put('links-by-conversation', 'conv-half', 'slack:C0123', JSON.stringify(slack));
    assert.deepEqual(await store.links.channelsFor('conv-half'), []);
    assert.deepEqual(await store.links.conversations(), ['conv-real']);
    assert.deepEqual(await store.links.channelsFor('conv-real'), [slack]);
  });

  test('links survive closing and reopening the store', async () => {
    const first = await fx.open();
    await first.links.link(slack, { conversationId: 'conv-1', linkedBy: 'U1', linkedAt: 7 });
    await first.close();
    const second = await fx.open();
    assert.deepEqual(await second.links.get(slack), { conversationId: 'conv-1', linkedAt: 7, linkedBy: 'U1', paused: false });
    assert.deepEqual(await second.links.channelsFor('conv-1'), [slack]);
  });

  test("reads are cached: own changes show at once, another replica's once the cache entry expires", async () => {
    let clock = 10_000;
    const backend = await fx.openBackend();
    const here = createLinksRepository(backend, fx.prefix, { cacheTtlMs: 1_000, now: () => clock });
    const elsewhere = createLinksRepository(await fx.openBackend(), fx.prefix, { cacheTtlMs: 0 });
    await here.link(slack, { conversationId: 'conv-1', linkedBy: 'U1', linkedAt: 1 });
    assert.equal((await here.get(slack))?.conversationId, 'conv-1');
    assert.deepEqual(await here.channelsFor('conv-1'), [slack]);
    assert.deepEqual(await here.conversations(), ['conv-1']);

    // Another replica moves the channel: this process may serve the cached link until the TTL.
    await elsewhere.link(slack, { conversationId: 'conv-2', linkedBy: 'U2', linkedAt: 2 });
    assert.equal((await here.get(slack))?.conversationId, 'conv-1');
    clock += 1_000;
    assert.equal((await here.get(slack))?.conversationId, 'conv-2');
    assert.deepEqual(await here.channelsFor('conv-1'), []);
    assert.deepEqual(await here.conversations(), ['conv-2']);

    // This process's own changes drop the cache at once.
    assert.equal((await here.pause(slack, 'manual'))?.paused, true);
    assert.equal((await here.get(slack))?.paused, true);
    await here.unlink(slack);
    assert.equal(await here.get(slack), undefined);
    assert.deepEqual(await here.linksFor('conv-2'), []);
    assert.deepEqual(await here.conversations(), []);
  });

  test('a cached read cannot be changed through what a caller was given', async () => {
    const store = await fx.open();
    await store.links.link(slack, { conversationId: 'conv-1', linkedBy: 'U1' });
    const [first] = await store.links.linksFor('conv-1');
    assert.ok(first);
    first.link.paused = true;
    first.channel.channelId = 'C-other';
    const [again] = await store.links.linksFor('conv-1');
    assert.deepEqual(again?.channel, slack);
    assert.equal(again?.link.paused, false);
  });
});
