import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageRef } from '../../../src/core/chat.js';
import { forEachBackend, sleep } from './fixtures.js';

const slackOrigin: MessageRef = { platform: 'slack', channelId: 'C1', messageId: '1700000000.000100' };
const discordCopy: MessageRef = { platform: 'discord', channelId: '998877', messageId: '1234567890', threadRootId: '1111', meta: { webhookId: 'w1' } };

forEachBackend('messageMap', (fx) => {
  test('finds all three copies of a message mirrored from Slack to Fluxra and Discord, from either platform', async () => {
    const store = await fx.open();
    await store.messageMap.record('msg_fx1', [slackOrigin]);
    await store.messageMap.record('msg_fx1', [discordCopy]);
    assert.equal(await store.messageMap.fluxraIdOf(slackOrigin), 'msg_fx1');
    assert.equal(await store.messageMap.fluxraIdOf({ platform: 'discord', channelId: '998877', messageId: '1234567890' }), 'msg_fx1');
    const expected = { fluxraMessageId: 'msg_fx1', copies: [slackOrigin, discordCopy] };
    assert.deepEqual(await store.messageMap.groupOf(slackOrigin), expected);
    assert.deepEqual(await store.messageMap.groupOf(discordCopy), expected, 'the ref comes back with its adapter meta');
    assert.deepEqual(await store.messageMap.copiesOf('msg_fx1'), [slackOrigin, discordCopy]);
  });

  test('looks a message up by identity only, whatever thread or meta the lookup carries', async () => {
    const store = await fx.open();
    await store.messageMap.record('msg_fx1', [discordCopy]);
    const sameMessageElsewhere: MessageRef = { ...discordCopy, threadRootId: undefined, meta: { other: '1' } };
    assert.equal(await store.messageMap.fluxraIdOf(sameMessageElsewhere), 'msg_fx1');
    assert.equal(await store.messageMap.fluxraIdOf({ ...discordCopy, channelId: 'other' }), undefined);
  });

  test('keeps the post order of a split message and ignores a copy recorded twice', async () => {
    const store = await fx.open();
    const parts: MessageRef[] = ['9', '10', '11'].map((id) => ({ platform: 'discord', channelId: 'D', messageId: id }));
    await store.messageMap.record('msg_long', [slackOrigin]);
    await store.messageMap.record('msg_long', parts);
    await store.messageMap.record('msg_long', [parts[0]!]);
    assert.deepEqual(await store.messageMap.copiesOf('msg_long'), [slackOrigin, ...parts]);
  });

  test('answers nothing for messages it does not know', async () => {
    const store = await fx.open();
    assert.equal(await store.messageMap.fluxraIdOf(slackOrigin), undefined);
    assert.equal(await store.messageMap.groupOf(slackOrigin), undefined);
    assert.deepEqual(await store.messageMap.copiesOf('msg_none'), []);
  });

  test('forget removes the group and every copy', async () => {
    const store = await fx.open();
    await store.messageMap.record('msg_fx1', [slackOrigin, discordCopy]);
    await store.messageMap.record('msg_fx2', [{ platform: 'slack', channelId: 'C1', messageId: '2.0' }]);
    await store.messageMap.forget('msg_fx1');
    assert.deepEqual(await store.messageMap.copiesOf('msg_fx1'), []);
    assert.equal(await store.messageMap.fluxraIdOf(slackOrigin), undefined);
    assert.equal(await store.messageMap.fluxraIdOf(discordCopy), undefined);
    assert.equal(await store.messageMap.fluxraIdOf({ platform: 'slack', channelId: 'C1', messageId: '2.0' }), 'msg_fx2');
  });

  test('entries expire after the configured TTL', async () => {
    const store = await fx.open({ messageMapTtlMs: 150 });
    await store.messageMap.record('msg_short', [slackOrigin, discordCopy]);
    assert.equal(await store.messageMap.fluxraIdOf(slackOrigin), 'msg_short');
    await sleep(300);
    assert.equal(await store.messageMap.fluxraIdOf(slackOrigin), undefined);
    assert.equal(await store.messageMap.groupOf(discordCopy), undefined);
    assert.deepEqual(await store.messageMap.copiesOf('msg_short'), []);
  });

  test('copies recorded together survive a reopen', async () => {
    const first = await fx.open();
    await first.messageMap.record('msg_fx1', [slackOrigin, discordCopy]);
    await first.close();
    const second = await fx.open();
    assert.deepEqual(await second.messageMap.groupOf(slackOrigin), { fluxraMessageId: 'msg_fx1', copies: [slackOrigin, discordCopy] });
  });
});
