import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { channelLinksFromStore, noChannelLinks } from '../../../src/commands/channel-links.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createStore } from '../../../src/store/create-store.js';

const CONV = 'conv_0f8fad5b-d9cb-469f-a165-70867728950e';

test('without a store, no channel is linked', async () => {
  assert.equal(await noChannelLinks.conversationFor({ platform: 'slack', channelId: 'C0GENERAL' }), undefined);
});

test('over the store, a linked channel (paused or not) names its conversation; others none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'commands-links-'));
  const store = await createStore({ path: join(dir, 'bridge.db') }, { logger: silentLogger() });
  try {
    const lookup = channelLinksFromStore(store.links);
    const linked = { platform: 'discord', channelId: '200000000000000001' } as const;
    await store.links.link(linked, { conversationId: CONV, linkedBy: 'U0ADMIN' });
    assert.equal(await lookup.conversationFor(linked), CONV);
    await store.links.pause(linked, 'testing');
    assert.equal(await lookup.conversationFor(linked), CONV);
    // Same id on the other platform is another channel.
    assert.equal(await lookup.conversationFor({ platform: 'slack', channelId: linked.channelId }), undefined);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
