/**
 * The tenancy decisions (issue 14) as pure functions, the share codes over a real store with
 * an injected clock (one-time, expiring after 15 minutes), and the `check` line about the
 * Discord servers the bot is in.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { discordServersResult } from '../../../src/cli/check/tenancy.js';
import { isPlaceAllowed, ORGANISATION_TENANT, sameTenant, tenancyWarnings, tenantOf } from '../../../src/core/tenancy.js';
import { isPrivilegedHere } from '../../../src/platforms/slack/inbound.js';
import { createShareCodes, SHARE_CODE_TTL_MS, SHARE_CODES_KV, type ShareCodeRecord } from '../../../src/store/share-codes.js';
import { openTempStore, type TempStore } from '../commands/bridge-harness.js';

const listed = { slackAllowedTeamIds: ['T0HOME'], discordAllowedGuildIds: ['100000000000000001'] };

test('without allow-lists every workspace and server is its own tenant, and all are served', () => {
  assert.equal(isPlaceAllowed({}, { platform: 'discord', placeId: '999999999999999999' }), true);
  assert.equal(tenantOf({}, { platform: 'discord', placeId: '100000000000000001' }), 'discord:100000000000000001');
  assert.equal(sameTenant({}, { platform: 'slack', placeId: 'T0HOME' }, { platform: 'discord', placeId: '100000000000000001' }), false);
  assert.equal(sameTenant({}, { platform: 'discord', placeId: '1' }, { platform: 'discord', placeId: '2' }), false);
  assert.deepEqual(tenancyWarnings({}, ['slack', 'discord']).length, 2);
});

test('with allow-lists the listed places are one organisation, and others are not served', () => {
  assert.equal(tenantOf(listed, { platform: 'slack', placeId: 'T0HOME' }), ORGANISATION_TENANT);
  assert.equal(sameTenant(listed, { platform: 'slack', placeId: 'T0HOME' }, { platform: 'discord', placeId: '100000000000000001' }), true);
  assert.equal(isPlaceAllowed(listed, { platform: 'discord', placeId: '200000000000000002' }), false);
  assert.equal(isPlaceAllowed(listed, { platform: 'slack', placeId: 'T0OTHER' }), false);
  assert.equal(sameTenant(listed, { platform: 'discord', placeId: '200000000000000002' }, { platform: 'discord', placeId: '100000000000000001' }), false);
  assert.deepEqual(tenancyWarnings(listed, ['slack', 'discord']), []);
});

test('a Slack Connect guest is never privileged, whatever their own workspace says', () => {
  assert.equal(isPrivilegedHere({ isPrivileged: true, teamId: 'T0ELSEWHERE' }, 'T0HOME'), false);
  assert.equal(isPrivilegedHere({ isPrivileged: true, teamId: 'T0HOME' }, 'T0HOME'), true);
  assert.equal(isPrivilegedHere({ isPrivileged: false, teamId: 'T0HOME' }, 'T0HOME'), false);
});

test('check names the servers the bot is in that are not allowed', () => {
  const guilds = [
    { id: '100000000000000001', name: 'Home' },
    { id: '200000000000000002', name: 'Stranger' },
  ];
  const result = discordServersResult(guilds, ['100000000000000001']);
  assert.equal(result.status, 'warning');
  assert.match(result.detail, /1 server\(s\) not on discord\.allowedGuildIds.*Stranger \(200000000000000002\)/);
  assert.equal(discordServersResult(guilds, ['100000000000000001', '200000000000000002']).status, 'ok');
});

let temp: TempStore;
before(async () => {
  temp = await openTempStore();
});
after(async () => {
  await temp.close();
});

test('a share code works once, and not after 15 minutes (injected clock)', async () => {
  let now = Date.UTC(2026, 11, 4, 12, 0, 0);
  const codes = createShareCodes({ records: temp.store.kv<ShareCodeRecord>(SHARE_CODES_KV), dedupe: temp.store.dedupe, now: () => now });
  const madeIn = { platform: 'discord' as const, placeId: '100000000000000001' };
  const once = await codes.create({ conversationId: 'conv_a', madeIn, madeBy: 'u1' });
  assert.match(once.code, /^shr_[0-9a-f]{20}$/);
  assert.equal(once.expiresAt, now + SHARE_CODE_TTL_MS);
  assert.equal((await codes.consume(once.code))?.conversationId, 'conv_a');
  assert.equal(await codes.consume(once.code), undefined, 'used up');

  const late = await codes.create({ conversationId: 'conv_b', madeIn, madeBy: 'u1' });
  now += SHARE_CODE_TTL_MS;
  assert.equal(await codes.consume(late.code), undefined, 'expired at 15 minutes');

  const concurrent = await codes.create({ conversationId: 'conv_c', madeIn, madeBy: 'u1' });
  const results = await Promise.all([codes.consume(concurrent.code), codes.consume(concurrent.code), codes.consume(concurrent.code)]);
  assert.equal(results.filter((r) => r !== undefined).length, 1, 'of concurrent uses, one wins');
  assert.equal(await codes.consume('shr_0000000000000000000g'), undefined, 'not a code');
});
