/**
 * The agent quota on the real store backends, as two replicas see it: two stores opened on
 * the same location (one Redis prefix, or one SQLite file) with their own AgentQuota each.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../src/core/logger.js';
import { type AgentQuota, type AgentQuotaConfig, createAgentQuota } from '../../../src/sessions/quota.js';
import type { Store } from '../../../src/store/index.js';
import { forEachBackend } from './fixtures.js';

const CONFIG: AgentQuotaConfig = { perPersonRunning: 3, perPersonPerHour: 30, perChannelRunning: 8, perChannelPerHour: 100 };
const MIN = 60_000;

function quotaOn(store: Store, clock: { now: number }, config: AgentQuotaConfig = CONFIG): AgentQuota {
  return createAgentQuota({ ledger: store.agentQuota, config, turnTimeoutMs: 60 * MIN, now: () => clock.now, logger: silentLogger() });
}

const ask = (userId: string, channelId: string, requestId: string) => ({ platform: 'slack' as const, userId, channelId, requestId });

forEachBackend('agent quota', (fixture) => {
  test("a second replica sees the first one's running turns, and their release", async () => {
    const clock = { now: Date.parse('2026-12-04T13:00:00Z') };
    const first = quotaOn(await fixture.open(), clock);
    const second = quotaOn(await fixture.open(), clock);
    const tickets = [];
    for (const n of [1, 2, 3]) {
      clock.now += 1_000;
      const admitted = await first.admit(ask('UADA', `C${n}`, `r${n}`));
      assert.ok(admitted.ok);
      tickets.push(admitted.ticket);
    }
    clock.now += 1_000;
    const refused = await second.admit(ask('UADA', 'C9', 'r4'));
    assert.deepEqual(refused, { ok: false, text: 'You already have 3 agent turns running, the most allowed at once. Ask again when one ends (by 14:05 UTC at the latest).' });
    // Someone else in the same channel is not held back by Ada's quota.
    assert.ok((await second.admit(ask('UBOB', 'C9', 'r5'))).ok);
    await first.release(tickets[0]);
    assert.ok((await second.admit(ask('UADA', 'C9', 'r6'))).ok, 'a finished turn frees a place on every replica');
  });

  test("a follow-up that interrupts one's own running turn fits; interrupting someone else's does not", async () => {
    const clock = { now: Date.parse('2026-12-04T13:00:00Z') };
    const quota = quotaOn(await fixture.open(), clock, { ...CONFIG, perPersonRunning: 1 });
    const ada = await quota.admit(ask('UADA', 'C1', 'a1'));
    const bob = await quota.admit(ask('UBOB', 'C1', 'b1'));
    assert.ok(ada.ok && bob.ok);
    clock.now += 1_000;
    assert.ok((await quota.admit(ask('UADA', 'C1', 'a2'), { replaces: ada.ticket })).ok);
    assert.equal((await quota.admit(ask('UBOB', 'C1', 'b2'), { replaces: ada.ticket })).ok, false);
  });

  test('replicas admitting at the same moment never exceed the limit together', async () => {
    const clock = { now: Date.parse('2026-12-04T13:00:00Z') };
    const replicas = [quotaOn(await fixture.open(), clock), quotaOn(await fixture.open(), clock)];
    const results = await Promise.all(Array.from({ length: 8 }, (_, n) => replicas[n % 2]!.admit(ask('UADA', `C${n}`, `burst${n}`))));
    assert.equal(results.filter((r) => r.ok).length, 3);
  });

  test('the hourly quota refuses with the time the oldest turn leaves the hour; a replayed request counts once', async () => {
    const clock = { now: Date.parse('2026-12-04T13:00:00Z') };
    const store = await fixture.open();
    const quota = quotaOn(store, clock, { ...CONFIG, perPersonPerHour: 2 });
    const one = await quota.admit(ask('UADA', 'C1', 'h1'));
    assert.ok(one.ok);
    await quota.release(one.ticket);
    clock.now += 10 * MIN;
    assert.ok((await quota.admit(ask('UADA', 'C1', 'h2'))).ok);
    clock.now += MIN;
    // The same request again (a Slack retry): admitted as before, not counted twice.
    const replay = await quota.admit(ask('UADA', 'C1', 'h2'));
    assert.ok(replay.ok);
    const refused = await quota.admit(ask('UADA', 'C1', 'h3'));
    assert.deepEqual(refused, { ok: false, text: 'You have started 2 agent turns in the last hour, the most allowed. The next one can start at 14:00 UTC.' });
    clock.now = Date.parse('2026-12-04T14:00:01Z');
    assert.ok((await quota.admit(ask('UADA', 'C1', 'h4'))).ok);
  });
});
