/**
 * The turn scheduler end to end: real Blocks budget, real Blocks client, the Blocks fake
 * with its strict sliding window, on a 2 s window (limit 100, so the polling pace is
 * 24 ms). Everything asserted is what the fake saw: which turns were polled, how often
 * relative to each other, in what order, and the window's violations.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { sessionsDefaults } from '../../../src/config/schema.js';
import { maxInAnyWindow } from '../../../src/simulators/blocks.js';
import { eventually, type SchedulerHarness, type SchedulerHarnessOptions, startSchedulerHarness } from './scheduler-harness.js';

const RATE_LIMIT = { limit: 100, windowMs: 2_000, safetyMarginMs: 100, interactiveReserve: 10, backoffMs: 200, maxBackoffMs: 2_000, shareAcrossPrefixes: true };
const SESSIONS = {
  ...sessionsDefaults(),
  pollIntervalMs: 250,
  maxPollIntervalMs: 3_000,
  turnTimeoutMinutes: 60,
  attachAsFileOverChars: 12_000,
  boundChannelMode: 'queue' as const,
};

describe('turn scheduler against the Blocks fake (real budget and client)', () => {
  let harness: SchedulerHarness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function start(extra: Partial<SchedulerHarnessOptions> = {}): Promise<SchedulerHarness> {
    harness = await startSchedulerHarness({ rateLimit: RATE_LIMIT, sessions: SESSIONS, ...extra });
    harness.scheduler.start();
    return harness;
  }

  it('serves 50 running turns in turn with no 429 and no window over the limit', async () => {
    const h = await start();
    const ids = await h.createTurns(50);
    for (const id of ids) h.scheduler.add(id, Date.now());
    await eventually(() => ids.every((id) => h.pollsOf(id).length >= 3), 'every turn polled three times');
    await h.scheduler.stop();

    const requests = h.fake.state.requests;
    assert.equal(h.fake.state.violations, 0);
    assert.deepEqual(
      requests.filter((r) => r.status === 429),
      [],
    );
    assert.ok(h.fake.maxInAnyWindow() <= RATE_LIMIT.limit, `busiest window ${h.fake.maxInAnyWindow()}`);
    const polls = requests.filter((r) => r.priority === 'background');
    const busiestPolling = maxInAnyWindow(
      polls.map((r) => r.arrivalMs),
      RATE_LIMIT.windowMs,
    );
    assert.ok(busiestPolling <= RATE_LIMIT.limit - RATE_LIMIT.interactiveReserve, `polling's busiest window ${busiestPolling}`);
    // Fair: no turn got ahead of another by more than one round (plus the polls in flight).
    const counts = ids.map((id) => h.pollsOf(id).length);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 2, `poll counts ${counts.join(',')}`);
    // Round-robin: the first 50 polls covered all 50 turns.
    assert.equal(new Set(polls.slice(0, 50).map((r) => r.path)).size, 50);
  });

  it('stops polling a turn once its final message is there, and goes on with the others', async () => {
    const h = await start();
    const [done, ...others] = await h.createTurns(5);
    for (const id of [done!, ...others]) h.scheduler.add(id, Date.now());
    await eventually(() => h.pollsOf(done!).length >= 2, 'two polls of the turn');
    h.fake.completeTurn(done!, 'all done');
    await eventually(() => !h.scheduler.has(done!), 'the scheduler to drop the finished turn');
    const seen = h.pollsOf(done!).length;
    const othersAt = others.map((id) => h.pollsOf(id).length);
    await eventually(() => others.every((id, i) => h.pollsOf(id).length >= othersAt[i]! + 5), 'five more polls of each other turn');
    assert.equal(h.pollsOf(done!).length, seen);
    assert.equal(h.scheduler.size, 4);
  });

  it('never polls a removed turn again, even when removed with a poll in flight', async () => {
    const h = await start();
    const [removed, kept] = await h.createTurns(2);
    // The removed turn's next poll hangs for a while at the server.
    const path = new URL(h.turns.get(removed!)!.finalMessageUrl).pathname;
    h.fake.inject({ type: 'latency', ms: 400, method: 'GET', path, times: 1 });
    h.scheduler.add(removed!, Date.now());
    h.scheduler.add(kept!, Date.now());
    await eventually(() => h.pollsOf(removed!).some((r) => r.fault === 'latency' && r.status === 0), 'a poll of the turn in flight');
    h.scheduler.remove(removed!);
    h.fake.completeTurn(removed!, 'finished while we stopped caring');
    const keptAt = h.pollsOf(kept!).length;
    await eventually(() => h.pollsOf(kept!).length >= keptAt + 8, 'eight more polls of the other turn');
    // The slow poll was its first and its last.
    assert.deepEqual(
      h.pollsOf(removed!).map((r) => r.fault),
      ['latency'],
    );
    assert.equal(h.scheduler.has(removed!), false);
    assert.equal(h.scheduler.size, 1);
  });

  it('backs off a turn whose polls fail while the others keep their pace', async () => {
    const h = await start();
    const [failing, ...healthy] = await h.createTurns(4);
    const path = new URL(h.turns.get(failing!)!.finalMessageUrl).pathname;
    h.fake.inject({ type: 'respond', status: 503, body: { error: 'upstream unavailable' }, method: 'GET', path, times: 1_000 });
    for (const id of [failing!, ...healthy]) h.scheduler.add(id, Date.now());
    await eventually(() => healthy.every((id) => h.pollsOf(id).length >= 30), 'thirty polls of each healthy turn');
    await h.scheduler.stop();
    h.fake.clearFaults();
    const failed = h.pollsOf(failing!);
    assert.ok(failed.length >= 2, 'the failing turn is still retried');
    assert.ok(failed.every((r) => r.status === 503));
    const healthyCounts = healthy.map((id) => h.pollsOf(id).length);
    assert.ok(failed.length * 3 <= Math.min(...healthyCounts), `failing ${failed.length}, healthy ${healthyCounts.join(',')}`);
    assert.ok(Math.max(...healthyCounts) - Math.min(...healthyCounts) <= 2, `healthy ${healthyCounts.join(',')}`);
    assert.equal(h.fake.state.violations, 0);
  });

  it('polls young turns more often than old ones', async () => {
    const h = await start();
    const ids = await h.createTurns(8);
    const young = ids.slice(0, 4);
    const old = ids.slice(4);
    // Older than 120 bases: their own interval is six bases.
    for (const id of old) h.scheduler.add(id, Date.now() - 200 * SESSIONS.pollIntervalMs);
    for (const id of young) h.scheduler.add(id, Date.now());
    await eventually(() => old.every((id) => h.pollsOf(id).length >= 4), 'four polls of each old turn');
    await h.scheduler.stop();
    const youngCounts = young.map((id) => h.pollsOf(id).length);
    const oldCounts = old.map((id) => h.pollsOf(id).length);
    assert.ok(Math.min(...youngCounts) >= 3 * Math.max(...oldCounts), `young ${youngCounts.join(',')}, old ${oldCounts.join(',')}`);
  });

  it('sends no poll while the key is paused after a 429, then serves every turn again', async () => {
    const h = await start();
    const ids = await h.createTurns(3);
    for (const id of ids) h.scheduler.add(id, Date.now());
    await eventually(() => ids.every((id) => h.pollsOf(id).length >= 2), 'two polls of each turn');
    h.fake.inject({ type: 'rate-limit', retryAfterSeconds: 1, method: 'GET', times: 1 });
    await eventually(() => h.fake.state.requests.some((r) => r.fault === 'rate-limit'), 'the 429');
    const refused = h.fake.state.requests.find((r) => r.fault === 'rate-limit')!;
    const counts = ids.map((id) => h.pollsOf(id).length);
    await eventually(() => ids.every((id, i) => h.pollsOf(id).length >= counts[i]! + 3), 'three more polls of each turn');
    await h.scheduler.stop();
    const next = h.fake.state.requests.find((r) => r.seq > refused.seq)!;
    // Retry-After: 1 → the key pauses for 1 s after the 429 came back.
    assert.ok(next.arrivalMs - refused.arrivalMs >= 1_000, `next request ${next.arrivalMs - refused.arrivalMs} ms after the 429`);
    assert.equal(h.scheduler.size, 3);
    assert.equal(h.fake.state.violations, 0);
  });
});
