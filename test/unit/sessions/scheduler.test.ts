/**
 * The turn poll scheduler on a simulated clock (node:test mock timers): which turns it
 * polls, in what order, how often relative to each other, and what it never does. The
 * end-to-end behaviour against the real budget and the Blocks fake is in
 * scheduler-blocks.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { RateLimitedError, UpstreamError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/core/logger.js';
import { BLOCKS_RATE_LIMIT_DEFAULTS } from '../../../src/ratelimit/blocks-budget.js';
import { ageIntervalMs, loadScale, pollLoad, pollPaceMs } from '../../../src/sessions/poll-intervals.js';
import { createTurnScheduler, type TurnScheduler, type TurnSchedulerOptions } from '../../../src/sessions/scheduler.js';
import { createPausableBudget, createScriptedPoller, type PausableBudget, type ScriptedPoller, type SimClock, T0, useSimClock } from './scheduler-clock.js';

const SESSIONS = { pollIntervalMs: 5_000, maxPollIntervalMs: 60_000, turnTimeoutMinutes: 60, attachAsFileOverChars: 12_000, boundChannelMode: 'queue' as const };
const RATE_LIMIT = { ...BLOCKS_RATE_LIMIT_DEFAULTS };
/** The documented budget's polling pace: (60 s + 1 s) / (100 − 10), rounded up. */
const PACE_MS = 678;
/** The simulated clock advances in 10 ms steps. */
const TOLERANCE_MS = 10;

function gaps(times: number[]): number[] {
  return times.slice(1).map((time, i) => time - times[i]!);
}

function serverError(): UpstreamError {
  return new UpstreamError('SERVER', 'Blocks failed on GET /x (503)', { service: 'blocks', status: 503, method: 'GET', url: 'https://api.blocks.team/x' });
}

function rateLimited(): RateLimitedError {
  return new RateLimitedError('Blocks rate limit hit', {
    service: 'blocks',
    status: 429,
    method: 'GET',
    url: 'https://api.blocks.team/x',
    retryAfterMs: 10_000,
    retryAfterFromServer: true,
  });
}

describe('poll intervals', () => {
  it('steps a turn down with age, in multiples of the base, and caps it', () => {
    const config = { pollIntervalMs: 5_000, maxPollIntervalMs: 60_000 };
    assert.equal(ageIntervalMs(0, config), 5_000);
    assert.equal(ageIntervalMs(119_999, config), 5_000);
    assert.equal(ageIntervalMs(120_000, config), 15_000);
    assert.equal(ageIntervalMs(599_999, config), 15_000);
    assert.equal(ageIntervalMs(600_000, config), 30_000);
    assert.equal(ageIntervalMs(600_000, { ...config, maxPollIntervalMs: 20_000 }), 20_000);
    // A shortened clock shortens the steps with it.
    const fast = { pollIntervalMs: 500, maxPollIntervalMs: 6_000 };
    assert.equal(ageIntervalMs(11_999, fast), 500);
    assert.equal(ageIntervalMs(12_000, fast), 1_500);
    assert.equal(ageIntervalMs(60_000, fast), 3_000);
    // A cap below the base never makes a young turn slower than the base.
    assert.equal(ageIntervalMs(0, { pollIntervalMs: 5_000, maxPollIntervalMs: 1_000 }), 5_000);
  });

  it('paces polling at the budget’s background spacing and scales intervals by the load', () => {
    assert.equal(pollPaceMs(RATE_LIMIT), PACE_MS);
    // The spec's examples (§10.3): 20 young turns share the polling budget.
    const twenty = pollLoad(
      Array.from({ length: 20 }, () => 5_000),
      PACE_MS,
    );
    assert.equal(Math.round(5_000 * loadScale(twenty)), 20 * PACE_MS);
    // A lone young turn uses the idle share: it polls at the pace of the whole polling share
    // (issue 18); an old lone turn keeps the floor of its own interval.
    assert.ok(Math.abs(5_000 * loadScale(pollLoad([5_000], PACE_MS)) - PACE_MS) < 1e-9);
    assert.equal(loadScale(pollLoad([30_000], PACE_MS)), 0.1);
  });
});

describe('turn scheduler (simulated clock)', () => {
  let clock: SimClock;
  let budget: PausableBudget;
  let scheduler: TurnScheduler | undefined;
  const pollers: ScriptedPoller[] = [];
  /** A scripted poller whose open polls are settled after each test. */
  const scripted = (...args: Parameters<typeof createScriptedPoller>): ScriptedPoller => {
    const poller = createScriptedPoller(...args);
    pollers.push(poller);
    return poller;
  };

  beforeEach(() => {
    clock = useSimClock();
    budget = createPausableBudget();
  });

  afterEach(async () => {
    const stopping = scheduler?.stop();
    // Polls a test left open would keep stop() waiting.
    for (const poller of pollers) for (const call of poller.open()) call.settle('pending');
    pollers.length = 0;
    await clock.flush();
    await stopping;
    scheduler = undefined;
    clock.restore();
  });

  function start(poll: TurnSchedulerOptions['poll'], extra: Partial<TurnSchedulerOptions> = {}): TurnScheduler {
    scheduler = createTurnScheduler({ budget, config: SESSIONS, rateLimit: RATE_LIMIT, poll, now: clock.now, random: () => 0.5, ...extra });
    scheduler.start();
    return scheduler;
  }

  it('polls every turn once per round, in order, when the budget is the bottleneck', async () => {
    const poller = scripted(clock.now);
    const s = start(poller.poll);
    const ids = Array.from({ length: 30 }, (_, i) => `turn-${i}`);
    for (const id of ids) s.add(id, T0);
    await clock.advance(110_000);

    const counts = ids.map((id) => poller.count(id));
    assert.ok(Math.min(...counts) >= 4, `counts ${counts.join(',')}`);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `counts ${counts.join(',')}`);
    // Round-robin: each block of 30 consecutive polls holds every turn once.
    for (let round = 0; round + 30 <= poller.calls.length; round += 30) {
      assert.equal(new Set(poller.calls.slice(round, round + 30).map((c) => c.turnId)).size, 30);
    }
    // Never faster than the polling share of the window.
    for (const gap of gaps(poller.calls.map((c) => c.at))) assert.ok(gap >= PACE_MS, `gap ${gap}`);
    // And it uses that share: 30 young turns want more than it has.
    assert.ok(poller.calls.length >= Math.floor((110_000 - 2_000) / PACE_MS) - 30, `only ${poller.calls.length} polls`);
  });

  it('polls a lone young turn at the pace of the whole polling share (the idle share), never faster', async () => {
    const poller = scripted(clock.now);
    start(poller.poll).add('solo', T0);
    await clock.advance(20_000);
    const times = poller.times('solo');
    assert.equal(times.length, Math.floor(20_000 / PACE_MS));
    assert.ok(Math.abs(times[0]! - (T0 + PACE_MS)) <= TOLERANCE_MS);
    for (const gap of gaps(times)) assert.ok(Math.abs(gap - PACE_MS) <= TOLERANCE_MS, `gap ${gap}`);
  });

  it('polls young turns more often than old ones', async () => {
    const poller = scripted(clock.now);
    const s = start(poller.poll);
    const young = ['young-0', 'young-1', 'young-2', 'young-3', 'young-4'];
    const old = ['old-0', 'old-1', 'old-2', 'old-3', 'old-4'];
    for (const id of old) s.add(id, T0 - 15 * 60_000);
    for (const id of young) s.add(id, T0);
    await clock.advance(100_000);
    const youngCounts = young.map((id) => poller.count(id));
    const oldCounts = old.map((id) => poller.count(id));
    // Own intervals 5 s and 30 s: young turns get about six polls for each old one.
    assert.ok(Math.min(...youngCounts) >= 4 * Math.max(...oldCounts), `young ${youngCounts.join(',')} old ${oldCounts.join(',')}`);
    assert.ok(Math.min(...oldCounts) >= 3, `old ${oldCounts.join(',')}`);
  });

  it('slows one turn down as it ages, with steps scaled to the base', async () => {
    const poller = scripted(clock.now);
    // Everything ÷10, the budget's window too (else its pace, not the age, sets the interval).
    const rateLimit = { ...RATE_LIMIT, windowMs: 6_000, safetyMarginMs: 100 };
    // The floor set high (0.4 of the own interval), else the idle share polls every age at the pace.
    start(poller.poll, { config: { ...SESSIONS, pollIntervalMs: 500, maxPollIntervalMs: 6_000 }, rateLimit, fastestFactor: 0.4 }).add('t', T0);
    await clock.advance(80_000);
    const times = poller.times('t');
    const gapsIn = (from: number, to: number) => gaps(times).filter((_gap, i) => times[i]! >= T0 + from && times[i + 1]! <= T0 + to);
    const young = gapsIn(0, 12_000);
    const middle = gapsIn(13_000, 59_000);
    const old = gapsIn(62_000, 80_000);
    assert.ok(young.length > 5 && middle.length > 5 && old.length > 2);
    const avg = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(avg(middle) / avg(young) - 3) < 0.1, `young ${avg(young)} middle ${avg(middle)}`);
    assert.ok(Math.abs(avg(old) / avg(young) - 6) < 0.2, `young ${avg(young)} old ${avg(old)}`);
  });

  it('hands the budget at most maxInFlight polls at once, never two starts closer than the pace', async () => {
    const poller = scripted(clock.now, () => 'hold');
    const s = start(poller.poll);
    for (let i = 0; i < 10; i += 1) s.add(`turn-${i}`, T0 - 60_000);
    for (let elapsed = 0; elapsed < 30_000; elapsed += 100) {
      await clock.advance(100);
      assert.ok(s.inFlight <= 2);
      // A slow budget: each poll takes 3 s to come back.
      for (const call of poller.open()) if (clock.now() - call.at >= 3_000) call.settle('pending');
    }
    assert.equal(poller.maxOpen, 2);
    assert.ok(poller.calls.length >= 15, `${poller.calls.length} polls`);
    for (const gap of gaps(poller.calls.map((c) => c.at))) assert.ok(gap >= PACE_MS, `gap ${gap}`);
    // Each in-flight poll is for a different turn.
    assert.equal(new Set(poller.open().map((c) => c.turnId)).size, poller.open().length);
  });

  it('never polls a removed turn again and ignores the result of its poll in flight', async () => {
    const poller = scripted(clock.now, (id, nth) => (id === 'a' && nth === 1 ? 'hold' : 'pending'));
    const s = start(poller.poll);
    s.add('a', T0 - 60_000);
    s.add('b', T0 - 60_000);
    await clock.advance(1_000);
    assert.equal(poller.count('a'), 1);
    s.remove('a');
    assert.equal(s.has('a'), false);
    poller
      .open()
      .find((c) => c.turnId === 'a')
      ?.settle('pending');
    await clock.advance(30_000);
    assert.equal(poller.count('a'), 1);
    assert.equal(s.has('a'), false);
    assert.equal(s.size, 1);
    assert.ok(poller.count('b') >= 10);
  });

  it('keeps a turn added again while its old poll is in flight, whatever that poll says', async () => {
    const poller = scripted(clock.now, (id, nth) => (id === 'a' && nth === 1 ? 'hold' : 'pending'));
    const s = start(poller.poll);
    s.add('a', T0 - 60_000);
    await clock.flush();
    const first = poller.open()[0];
    assert.equal(first?.turnId, 'a');
    s.remove('a');
    s.add('a', T0 - 60_000);
    // The new entry waits for the old poll: one turn never has two polls out.
    await clock.advance(10_000);
    assert.equal(poller.count('a'), 1);
    first!.settle('done');
    await clock.advance(10_000);
    assert.equal(s.has('a'), true);
    assert.ok(poller.count('a') >= 3);
  });

  it('stops polling a turn whose poll says done', async () => {
    const poller = scripted(clock.now, (id, nth) => (id === 'a' && nth === 2 ? 'done' : 'pending'));
    const s = start(poller.poll);
    s.add('a', T0);
    s.add('b', T0);
    await clock.advance(30_000);
    assert.equal(poller.count('a'), 2);
    assert.equal(s.has('a'), false);
    assert.equal(s.nextPollAt('a'), undefined);
    assert.ok(poller.count('b') > 5);
  });

  it('backs off a failing turn alone, with jitter, and logs it', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(line) } });
    let failing = true;
    const poller = scripted(clock.now, (id) => (id === 'bad' && failing ? serverError() : 'pending'));
    const s = start(poller.poll, { logger });
    for (const id of ['bad', 'b', 'c']) s.add(id, T0);
    await clock.advance(60_000);
    const bad = poller.times('bad');
    const good = poller.times('b');
    assert.ok(good.length >= 25, `b polled ${good.length} times`);
    // Three turns: 5 s × max(0.4, 3 × 678 / 5000) each, whatever the failing one does.
    const interval = 5_000 * Math.max(0.4, (3 * PACE_MS) / 5_000);
    for (const gap of gaps(good)) assert.ok(gap <= interval + TOLERANCE_MS, `b waited ${gap}`);
    assert.ok(bad.length <= 6, `bad polled ${bad.length} times`);
    // The backoff grows: each wait longer than the one before (jitter fixed at 0.5 here).
    const badGaps = gaps(bad);
    for (let i = 1; i < badGaps.length; i += 1) assert.ok(badGaps[i]! > badGaps[i - 1]!, `gaps ${badGaps.join(',')}`);
    const warnings = lines.map((line) => JSON.parse(line) as { msg: string; turnId?: string; failures?: number });
    assert.ok(warnings.length >= bad.length - 1);
    assert.ok(warnings.every((w) => w.msg === 'turn poll failed; backing off this turn' && w.turnId === 'bad'));
    // Recovered: back to the normal cadence.
    failing = false;
    await clock.advance(70_000);
    const after = poller.times('bad').filter((t) => t > T0 + 130_000 - 30_000);
    assert.ok(after.length >= 5, `bad polled ${after.length} times after recovering`);
  });

  it('holds every poll while the key is paused after a 429, then reschedules without backoff', async () => {
    let pauseAt = 0;
    const poller = scripted(clock.now, (id, nth) => {
      if (id === 'a' && nth === 2) {
        // What the client does on a 429: pause the whole key, then give up this attempt.
        pauseAt = clock.now();
        budget.pausedUntil = pauseAt + 10_000;
        return rateLimited();
      }
      return 'pending';
    });
    const s = start(poller.poll);
    s.add('a', T0);
    s.add('b', T0);
    await clock.advance(40_000);
    assert.ok(pauseAt > 0);
    const during = poller.calls.filter((c) => c.at > pauseAt && c.at < pauseAt + 10_000);
    assert.deepEqual(during, []);
    const afterPause = poller.times('a').filter((t) => t >= pauseAt + 10_000);
    assert.ok(afterPause.length >= 10, `a polled ${afterPause.length} times after the pause`);
    for (const gap of gaps(afterPause)) assert.ok(gap <= 2_000 + TOLERANCE_MS);
  });

  it('predicts when each waiting turn will be polled, in the order it polls them', async () => {
    const poller = scripted(clock.now);
    const s = start(poller.poll);
    const ids = Array.from({ length: 8 }, (_, i) => `turn-${i}`);
    for (const id of ids) s.add(id, T0 - 60_000);
    assert.equal(s.nextPollAt('unknown'), undefined);
    // turn-0 went at once.
    assert.equal(s.nextPollAt('turn-0'), clock.now());
    await clock.flush();
    const predicted = ids.slice(1).map((id) => ({ id, at: s.nextPollAt(id)! }));
    // 1 ms steps: the 10 ms default would add up over the round.
    await clock.advance(8 * PACE_MS, 1);
    const actual = poller.calls.slice(1, 8);
    assert.deepEqual(
      actual.map((c) => c.turnId),
      [...predicted].sort((x, y) => x.at - y.at).map((p) => p.id),
    );
    for (const call of actual) {
      const guess = predicted.find((p) => p.id === call.turnId)!.at;
      assert.ok(Math.abs(call.at - guess) <= 1, `${call.turnId}: predicted ${guess - T0}, polled ${call.at - T0}`);
    }
  });

  it('adds a turn once, polls nothing before start, and nothing after stop', async () => {
    const poller = scripted(clock.now, (_id, nth) => (nth === 3 ? 'hold' : 'pending'));
    scheduler = createTurnScheduler({ budget, config: SESSIONS, rateLimit: RATE_LIMIT, poll: poller.poll, now: clock.now });
    const s = scheduler;
    s.add('a', T0);
    s.add('a', T0 + 50_000);
    assert.equal(s.size, 1);
    await clock.advance(10_000);
    assert.equal(poller.calls.length, 0);
    s.start();
    // The turn kept its first start time, so it is overdue now.
    await clock.flush();
    assert.equal(poller.calls.length, 1);
    await clock.advance(5_000);
    assert.equal(poller.calls.length, 3);
    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    await clock.advance(5_000);
    assert.equal(stopped, false, 'stop waits for the poll in flight');
    poller.open()[0]!.settle('pending');
    await clock.flush();
    await stopping;
    await clock.advance(30_000);
    assert.equal(poller.calls.length, 3);
  });
});
