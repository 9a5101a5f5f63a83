import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRecentMessages, pruneRecent, tracksForDeletes, vanishedMessages } from '../../../src/catch-up/recent-messages.js';
import type { InboundMessage } from '../../../src/core/chat.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createStore } from '../../../src/store/index.js';

const HOUR = 3_600_000;

function message(messageId: string, overrides: { threadRootId?: string; isSelf?: boolean } = {}): InboundMessage {
  return {
    kind: 'message',
    platform: 'slack',
    eventId: `slack:C1:${messageId}`,
    receivedAt: 0,
    ref: { platform: 'slack', channelId: 'C1', messageId, ...(overrides.threadRootId ? { threadRootId: overrides.threadRootId } : {}) },
    author: { id: 'U1', displayName: 'Ada', isBot: overrides.isSelf ?? false, isSelf: overrides.isSelf ?? false },
    text: 'hi',
    attachments: [],
    mentionsBot: false,
  };
}

test('recent entries keep those within the lookback, each id once, the newest up to the bound, oldest first', () => {
  const now = 10 * HOUR;
  const entries = [
    { id: '1700000003.000000', at: now - 10 },
    { id: '1700000001.000000', at: now - 2 * HOUR },
    { id: '1700000002.000000', at: now - 20 },
    { id: '1700000002.000000', at: now - 15 },
    { id: '1700000004.000000', at: now },
  ];
  assert.deepEqual(
    pruneRecent(entries, now, HOUR, 10).map((entry) => entry.id),
    ['1700000002.000000', '1700000003.000000', '1700000004.000000'],
  );
  assert.deepEqual(
    pruneRecent(entries, now, HOUR, 2).map((entry) => entry.id),
    ['1700000003.000000', '1700000004.000000'],
  );
});

test('a recent message is gone when the read covered its place and did not see it; never from a truncated read', () => {
  const recent = [
    { id: '100', at: 0 },
    { id: '200', at: 0 },
    { id: '300', at: 0 },
  ];
  assert.deepEqual(vanishedMessages(recent, { fromId: '150', presentIds: ['300', '400'], truncated: false }), ['200'], '100 lies before what was read');
  assert.deepEqual(vanishedMessages(recent, { fromId: '150', presentIds: [], truncated: true }), []);
});

test("only people's top-level messages are tracked (a reply's thread may go unread; our own posts are ours to delete)", () => {
  assert.equal(tracksForDeletes(message('1.1')), true);
  assert.equal(tracksForDeletes(message('1.1', { threadRootId: '1.1' })), true, 'a thread root');
  assert.equal(tracksForDeletes(message('1.2', { threadRootId: '1.1' })), false);
  assert.equal(tracksForDeletes(message('1.3', { isSelf: true })), false);
});

test('accepted messages are stored per channel, and one handed over as a delete is not listed again, across a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'recent-'));
  try {
    const path = join(dir, 'bridge.db');
    const store = await createStore({ path }, { logger: silentLogger() });
    const recent = createRecentMessages({ store, logger: silentLogger(), lookbackMs: HOUR });
    recent.accepted(message('1700000001.000000'));
    recent.accepted(message('1700000002.000000'));
    recent.accepted(message('1700000003.000000', { threadRootId: '1700000001.000000' }));
    await recent.flush();
    recent.forget({ platform: 'slack', channelId: 'C1' }, ['1700000001.000000']);
    await recent.flush();
    await store.close();

    const reopened = await createStore({ path }, { logger: silentLogger() });
    const again = createRecentMessages({ store: reopened, logger: silentLogger(), lookbackMs: HOUR });
    assert.deepEqual(
      (await again.list({ platform: 'slack', channelId: 'C1' })).map((entry) => entry.id),
      ['1700000002.000000'],
    );
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
