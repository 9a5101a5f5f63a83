/**
 * A `bridge.db` written before the store dropped @keyv/sqlite must open and read as it did.
 * The file is built here by raw SQL: the exact schema @keyv/sqlite and our own tables
 * created, and rows byte for byte as keyv serialized them through @keyv/sqlite (captured
 * from the previous code: `{"value":…,"expires":…}`, a leading ':' escaped as '::').
 */

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { silentLogger } from '../../../src/core/logger.js';
import { createStore, type Store } from '../../../src/store/index.js';

const PREFIX = 'fluxra-bridge';
const DAY_MS = 24 * 60 * 60 * 1000;

const OLD_SCHEMA = [
  'CREATE TABLE keyv(key VARCHAR(255) PRIMARY KEY, value TEXT )',
  `CREATE TABLE store_maps (
     grp TEXT NOT NULL, map TEXT NOT NULL, member TEXT NOT NULL, value TEXT NOT NULL, expires INTEGER,
     PRIMARY KEY (grp, map, member)) WITHOUT ROWID`,
  'CREATE TABLE store_dedupe (key TEXT PRIMARY KEY NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID',
];

function writeOldFile(path: string, now: number): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  for (const statement of OLD_SCHEMA) db.exec(statement);
  const later = now + 30 * DAY_MS;
  const records: Array<[string, string]> = [
    [`${PREFIX}:cursors:conv-1`, '{"value":"cursor-42"}'],
    [`${PREFIX}:kv:feature:bool`, '{"value":false}'],
    [`${PREFIX}:kv:feature:null`, '{"value":null}'],
    [`${PREFIX}:kv:feature:num`, '{"value":42}'],
    [`${PREFIX}:kv:feature:obj`, '{"value":{"a":[1,2,{"b":null}],"u":"ünï"}}'],
    [`${PREFIX}:kv:feature:str`, '{"value":"::starts with colon"}'],
    [`${PREFIX}:kv:feature:timed`, `{"value":"later","expires":${later}}`],
    [`${PREFIX}:kv:feature:gone`, `{"value":"stale","expires":${now - 1_000}}`],
    [
      `${PREFIX}:links:discord:111`,
      '{"value":{"channel":{"platform":"discord","channelId":"111"},"conversationId":"conv-1","linkedAt":1796428744611,"linkedBy":"U2","paused":true,"pausedReason":"too many failures"}}',
    ],
    [`${PREFIX}:links:slack:C1`, '{"value":{"channel":{"platform":"slack","channelId":"C1"},"conversationId":"conv-1","linkedAt":1796428744610,"linkedBy":"U1","paused":false}}'],
    [`${PREFIX}:message-ids:discord:111:222`, `{"value":"fm-1","expires":${later}}`],
    [`${PREFIX}:message-ids:slack:C1:1700000000.000100`, `{"value":"fm-1","expires":${later}}`],
    [`${PREFIX}:sessions-by-thread:slack:C1:1700000000.000200`, '{"value":"sess-1"}'],
    [`${PREFIX}:sessions:sess-1`, '{"value":{"id":"sess-1","threadRoot":{"platform":"slack","channelId":"C1","messageId":"1700000000.000200"},"status":"running","turns":2}}'],
    // Another bridge sharing the file: never touched by this one, expired or not.
    ['other-bridge:kv:feature:gone', `{"value":"theirs","expires":${now - 1_000}}`],
  ];
  const insertRecord = db.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)');
  for (const [key, value] of records) insertRecord.run(key, value);
  const insertMember = db.prepare('INSERT INTO store_maps (grp, map, member, value, expires) VALUES (?, ?, ?, ?, ?)');
  insertMember.run(`${PREFIX}:links-by-conversation`, 'conv-1', 'discord:111', '{"platform":"discord","channelId":"111"}', null);
  insertMember.run(`${PREFIX}:links-by-conversation`, 'conv-1', 'slack:C1', '{"platform":"slack","channelId":"C1"}', null);
  insertMember.run(
    `${PREFIX}:message-copies`,
    'fm-1',
    'discord:111:222',
    '{"ref":{"platform":"discord","channelId":"111","messageId":"222","meta":{"webhook":true}},"recordedAt":1796428744611,"seq":1,"index":1}',
    later,
  );
  insertMember.run(
    `${PREFIX}:message-copies`,
    'fm-1',
    'slack:C1:1700000000.000100',
    '{"ref":{"platform":"slack","channelId":"C1","messageId":"1700000000.000100"},"recordedAt":1796428744611,"seq":1,"index":0}',
    later,
  );
  insertMember.run(
    `${PREFIX}:outbox`,
    'slack:C1',
    '001796428744612-000000-1vec3u9',
    '{"id":"001796428744612-000000-1vec3u9","partition":"slack:C1","item":{"kind":"post","text":"héllo \\"quoted\\" :colon"},"enqueuedAt":1796428744612,"attempts":0}',
    null,
  );
  db.prepare('INSERT INTO store_dedupe (key, expires) VALUES (?, ?)').run(`${PREFIX}:dedupe:slack:event:Ev1`, now + DAY_MS);
  db.close();
}

describe('a SQLite file written through @keyv/sqlite', () => {
  let dir = '';
  let path = '';
  let store: Store;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fluxra-store-format-'));
    path = join(dir, 'data', 'bridge.db');
    await mkdir(join(dir, 'data'));
    writeOldFile(path, Date.now());
    store = await createStore({ path, namespacePrefix: PREFIX }, { logger: silentLogger() });
  });

  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('reads its links and the conversation index', async () => {
    const slack = await store.links.get({ platform: 'slack', channelId: 'C1' });
    assert.deepEqual(slack, { conversationId: 'conv-1', linkedAt: 1796428744610, linkedBy: 'U1', paused: false });
    const discord = await store.links.get({ platform: 'discord', channelId: '111' });
    assert.equal(discord?.paused, true);
    assert.equal(discord?.pausedReason, 'too many failures');
    assert.deepEqual(await store.links.channelsFor('conv-1'), [
      { platform: 'discord', channelId: '111' },
      { platform: 'slack', channelId: 'C1' },
    ]);
  });

  test('reads its message map both ways, with the adapter meta', async () => {
    assert.equal(await store.messageMap.fluxraIdOf({ platform: 'discord', channelId: '111', messageId: '222' }), 'fm-1');
    const group = await store.messageMap.groupOf({ platform: 'slack', channelId: 'C1', messageId: '1700000000.000100' });
    assert.deepEqual(group, {
      fluxraMessageId: 'fm-1',
      copies: [
        { platform: 'slack', channelId: 'C1', messageId: '1700000000.000100' },
        { platform: 'discord', channelId: '111', messageId: '222', meta: { webhook: true } },
      ],
    });
  });

  test('reads its cursor, session, thread index, dedupe marker and queued outbox item', async () => {
    assert.equal(await store.cursors.get('conv-1'), 'cursor-42');
    const session = await store.sessions.findByThread({ platform: 'slack', channelId: 'C1', messageId: '1700000000.000200' });
    assert.deepEqual(session, { id: 'sess-1', threadRoot: { platform: 'slack', channelId: 'C1', messageId: '1700000000.000200' }, status: 'running', turns: 2 });
    assert.equal(await store.dedupe.seen('slack:event:Ev1'), true);
    assert.deepEqual(await store.outbox.partitions(), ['slack:C1']);
    const [entry] = await store.outbox.peek('slack:C1', 10);
    assert.deepEqual(entry, {
      id: '001796428744612-000000-1vec3u9',
      partition: 'slack:C1',
      item: { kind: 'post', text: 'héllo "quoted" :colon' },
      enqueuedAt: 1796428744612,
      attempts: 0,
    });
  });

  test('reads every kind of kv value; an expired one is missing and purged, other prefixes untouched', async () => {
    const kv = store.kv<unknown>('feature');
    assert.equal(await kv.get('str'), ':starts with colon');
    assert.equal(await kv.get('num'), 42);
    assert.deepEqual(await kv.get('obj'), { a: [1, 2, { b: null }], u: 'ünï' });
    assert.equal(await kv.get('bool'), false);
    assert.equal(await kv.get('null'), null);
    assert.equal(await kv.get('timed'), 'later');
    assert.equal(await kv.get('gone'), undefined);
    const db = new Database(path, { readonly: true });
    try {
      const keys = (db.prepare('SELECT key FROM keyv WHERE key LIKE ?').all('%:kv:feature:gone') as Array<{ key: string }>).map((row) => row.key);
      assert.deepEqual(keys, ['other-bridge:kv:feature:gone']);
    } finally {
      db.close();
    }
  });

  test('new writes keep the same table and encoding, so the file stays readable by the previous version', async () => {
    await store.cursors.saveDelivered('conv-2', 'cursor-7');
    await store.kv<string>('feature').set('colon', ':x', { ttlMs: DAY_MS });
    assert.equal(await store.kv<string>('feature').delete('num'), true);
    assert.equal(await store.kv<string>('feature').delete('num'), false);
    const db = new Database(path, { readonly: true });
    try {
      const value = (key: string): unknown => (db.prepare('SELECT value FROM keyv WHERE key = ?').get(key) as { value: string } | undefined)?.value;
      assert.equal(value(`${PREFIX}:cursors:conv-2`), '{"value":"cursor-7"}');
      assert.match(String(value(`${PREFIX}:kv:feature:colon`)), /^\{"value":"::x","expires":\d+\}$/);
      assert.equal(value(`${PREFIX}:kv:feature:num`), undefined);
      const schema = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'keyv'").get() as { sql: string };
      assert.equal(schema.sql, OLD_SCHEMA[0]);
    } finally {
      db.close();
    }
  });
});
