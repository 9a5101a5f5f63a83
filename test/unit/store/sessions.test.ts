import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageRef } from '../../../src/core/chat.js';
import type { SessionRecord } from '../../../src/store/index.js';
import { forEachBackend, sleep } from './fixtures.js';

interface AgentSession extends SessionRecord {
  blocksSessionId: string;
  turn: number;
}

const threadA: MessageRef = { platform: 'slack', channelId: 'C1', messageId: '1700000000.000100' };
const threadB: MessageRef = { platform: 'discord', channelId: '42', messageId: '777', meta: { threadChannelId: '888' } };

forEachBackend('sessions', (fx) => {
  test('stores a typed record and finds it by its thread root', async () => {
    const store = await fx.open();
    const session: AgentSession = { id: 's1', threadRoot: threadB, blocksSessionId: 'blk_1', turn: 1 };
    await store.sessions.put(session);
    assert.deepEqual(await store.sessions.get<AgentSession>('s1'), session);
    assert.deepEqual(await store.sessions.findByThread<AgentSession>({ platform: 'discord', channelId: '42', messageId: '777' }), session);
    assert.equal(await store.sessions.findByThread(threadA), undefined);
    assert.equal(await store.sessions.get('nope'), undefined);
  });

  test('an updated record replaces the old one', async () => {
    const store = await fx.open();
    await store.sessions.put<AgentSession>({ id: 's1', threadRoot: threadA, blocksSessionId: 'blk_1', turn: 1 });
    await store.sessions.put<AgentSession>({ id: 's1', threadRoot: threadA, blocksSessionId: 'blk_1', turn: 2 });
    assert.equal((await store.sessions.findByThread<AgentSession>(threadA))?.turn, 2);
  });

  test('moving a session to another thread moves its index entry', async () => {
    const store = await fx.open();
    await store.sessions.put<AgentSession>({ id: 's1', threadRoot: threadA, blocksSessionId: 'b', turn: 1 });
    await store.sessions.put<AgentSession>({ id: 's1', threadRoot: threadB, blocksSessionId: 'b', turn: 1 });
    assert.equal(await store.sessions.findByThread(threadA), undefined);
    assert.equal((await store.sessions.findByThread(threadB))?.id, 's1');
  });

  test('delete removes the record and its thread entry, but not a newer session of that thread', async () => {
    const store = await fx.open();
    await store.sessions.put<AgentSession>({ id: 'old', threadRoot: threadA, blocksSessionId: 'b1', turn: 1 });
    await store.sessions.put<AgentSession>({ id: 'new', threadRoot: threadA, blocksSessionId: 'b2', turn: 1 });
    assert.equal((await store.sessions.findByThread(threadA))?.id, 'new');
    assert.equal(await store.sessions.delete('old'), true);
    assert.equal((await store.sessions.findByThread(threadA))?.id, 'new');
    assert.equal(await store.sessions.delete('new'), true);
    assert.equal(await store.sessions.findByThread(threadA), undefined);
    assert.equal(await store.sessions.delete('new'), false);
  });

  test('a record with a TTL expires together with its thread entry', async () => {
    const store = await fx.open();
    await store.sessions.put<AgentSession>({ id: 's1', threadRoot: threadA, blocksSessionId: 'b', turn: 1 }, { ttlMs: 100 });
    assert.equal((await store.sessions.findByThread(threadA))?.id, 's1');
    await sleep(250);
    assert.equal(await store.sessions.get('s1'), undefined);
    assert.equal(await store.sessions.findByThread(threadA), undefined);
  });

  test('sessions survive a reopen', async () => {
    const first = await fx.open();
    await first.sessions.put<AgentSession>({ id: 's1', threadRoot: threadA, blocksSessionId: 'b', turn: 3 });
    await first.close();
    const second = await fx.open();
    assert.equal((await second.sessions.findByThread<AgentSession>(threadA))?.turn, 3);
  });
});
