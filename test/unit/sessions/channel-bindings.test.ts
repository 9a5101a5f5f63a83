import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChannelBinding, createChannelBindings } from '../../../src/sessions/bound-channels/bindings.js';
import { forEachBackend } from '../store/fixtures.js';

function binding(channelId: string, boundAt: number): ChannelBinding {
  return {
    channel: { platform: 'slack', channelId },
    agentLabel: 'claude',
    agent: { agentName: 'claude' },
    boundBy: 'U0ADA',
    boundAt,
    sessionCount: 0,
  };
}

forEachBackend('channel bindings', (fixture) => {
  test('lists every bound channel, survives a reopen, and forgets an unbound one', async () => {
    const store = await fixture.open();
    const bindings = createChannelBindings(store);
    await Promise.all([bindings.put(binding('C1', 1)), bindings.put(binding('C2', 2)), bindings.put(binding('C3', 3))]);
    await bindings.remove({ platform: 'slack', channelId: 'C2' });
    const reopened = createChannelBindings(await fixture.open());
    const listed = (await reopened.list()).map((b) => [b.channel.channelId, b.boundAt]).sort();
    assert.deepEqual(listed, [
      ['C1', 1],
      ['C3', 3],
    ]);
  });

  test('an index entry whose record is gone (a crash between the writes) is not listed', async () => {
    const store = await fixture.open();
    await store.kv<string[]>('channel-bindings-index').set('__bound-channels__', ['slack:CGONE']);
    const bindings = createChannelBindings(store);
    await bindings.put(binding('C9', 9));
    assert.deepEqual(
      (await bindings.list()).map((b) => b.channel.channelId),
      ['C9'],
    );
  });
});
