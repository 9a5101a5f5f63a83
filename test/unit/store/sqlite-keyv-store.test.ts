/**
 * keyv's calls that reach our SQLite adapter beyond get/set/delete (which every repository
 * test exercises): batch reads, the expired-record cleanup keyv does through deleteMany,
 * has, and clear, which must stay inside the store's own prefix.
 */

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../../src/core/logger.js';
import { openSqliteBackend, type SqliteBackend } from '../../../src/store/sqlite-backend.js';

let backend: SqliteBackend;

beforeEach(async () => {
  backend = await openSqliteBackend({ path: ':memory:', prefix: 'mine' }, { logger: silentLogger() });
});

afterEach(async () => {
  await backend.close();
});

test('getMany answers in the order asked, a missing or expired key as undefined, and drops the expired row', async () => {
  await backend.keyv.set('mine:a', { n: 1 });
  await backend.keyv.set('mine:b', 'two');
  await backend.keyv.set('mine:old', 'x', 5);
  await sleep(20);
  assert.deepEqual(await backend.keyv.getMany(['mine:b', 'mine:none', 'mine:old', 'mine:a']), ['two', undefined, undefined, { n: 1 }]);
  // keyv removed the expired row (through deleteMany), so the purge finds nothing left.
  assert.equal(await backend.purgeExpired(), 0);
});

test('has and delete report whether a record is there', async () => {
  await backend.keyv.set('mine:a', 0);
  assert.equal(await backend.keyv.has('mine:a'), true);
  assert.equal(await backend.keyv.delete('mine:a'), true);
  assert.equal(await backend.keyv.delete('mine:a'), false);
  assert.equal(await backend.keyv.has('mine:a'), false);
});

test('clear removes only this prefix: another bridge may share the file', async () => {
  await backend.keyv.set('mine:a', 1);
  await backend.keyv.set('mine-too:a', 2);
  await backend.keyv.set('theirs:a', 3);
  await backend.keyv.clear();
  assert.deepEqual(await backend.keyv.getMany(['mine:a', 'mine-too:a', 'theirs:a']), [undefined, 2, 3]);
});
