/**
 * The sliding-window log's decisions (pure, on an injected clock) and the admission loop's
 * policy: what is admitted, what is refused and for how long, and what a stalled replica asks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ABANDONED_ADMISSIONS, nextAsk } from '../../../src/ratelimit/admission-loop.js';
import { BLOCKS_RATE_LIMIT_DEFAULTS, blocksSpacing, blocksWindowRules } from '../../../src/ratelimit/blocks-budget.js';
import { createMemoryWindowStore, decideAdmission, type LogEntries, pruneLog, type WindowRules } from '../../../src/ratelimit/window-log.js';
import { redisErrorCode } from '../../../src/ratelimit/window-redis.js';

const RULES: WindowRules = { limit: 10, spanMs: 1_100, backgroundLimit: 8, sliceMs: 100, sliceLimit: 1, headroom: 1 };
const ask = (interactive: number, background: number, dryRun = false) => ({ interactive, background, dryRun });
const empty = (): LogEntries => ({ all: [], background: [] });

describe('sliding-window log decisions', () => {
  it('derives the rules from the configuration: span = window + margin, slices of a tenth', () => {
    assert.deepEqual(blocksWindowRules(BLOCKS_RATE_LIMIT_DEFAULTS), { limit: 100, spanMs: 61_000, backgroundLimit: 90, sliceMs: 6_100, sliceLimit: 10, headroom: 2 });
    assert.equal(blocksSpacing(BLOCKS_RATE_LIMIT_DEFAULTS).backgroundSlotMs * 90 >= 61_000, true);
    // The headroom never exceeds the reserve: without a reserve polling may take every slot.
    assert.equal(blocksWindowRules({ limit: 100, windowMs: 60_000, safetyMarginMs: 0, interactiveReserve: 0 }).headroom, 0);
  });

  it('admits a whole burst of people at once on an idle key, up to the limit', () => {
    const log = empty();
    const decision = decideAdmission(log, 5_000, ask(25, 0), RULES);
    assert.equal(decision.interactive, 10);
    assert.equal(log.all.length, 10);
    // Room comes back when the oldest entry is a span old.
    assert.equal(decision.interactiveRetryMs, 1_100);
    assert.equal(decideAdmission(log, 6_099, ask(1, 0), RULES).interactive, 0);
    pruneLog(log, 6_100, RULES.spanMs);
    assert.equal(log.all.length, 0);
    assert.equal(decideAdmission(log, 6_100, ask(1, 0), RULES).interactive, 1);
  });

  it('spreads polling over the span, keeps it out of the reserve and out of the headroom people find free', () => {
    const log = empty();
    const first = decideAdmission(log, 0, ask(0, 5), RULES);
    assert.equal(first.background, 1, 'one entry per slice');
    assert.equal(first.backgroundRetryMs, 100);
    assert.equal(decideAdmission(log, 50, ask(0, 1), RULES).background, 0);
    for (let t = 100; t < 800; t += 100) assert.equal(decideAdmission(log, t, ask(0, 1), RULES).background, 1);
    assert.equal(log.background.length, 8);
    const capped = decideAdmission(log, 800, ask(0, 1), RULES);
    assert.equal(capped.background, 0, "the reserve is the people's");
    assert.equal(capped.backgroundRetryMs, 300, 'until the oldest poll leaves the window, at 1100');
    // People take the reserve; polling never takes the last `headroom` slot even once it may poll.
    assert.equal(decideAdmission(log, 800, ask(1, 0), RULES).interactive, 1);
    pruneLog(log, 1_100, RULES.spanMs);
    assert.equal(decideAdmission(log, 1_100, ask(0, 1), RULES).background, 1);
    assert.equal(log.all.length, 9);
    const headroom = decideAdmission(log, 1_250, ask(0, 1), RULES);
    assert.equal(headroom.background, 0);
    assert.equal(decideAdmission(log, 1_250, ask(1, 0), RULES).interactive, 1);
  });

  it('counts people in the slice: polling waits for a slice they left free', () => {
    const rules = { ...RULES, sliceLimit: 3 };
    const log = empty();
    assert.equal(decideAdmission(log, 0, ask(3, 1), rules).background, 0, 'three people fill the slice');
    const later = decideAdmission(log, 50, ask(0, 1), rules);
    assert.equal(later.background, 0);
    assert.equal(later.backgroundRetryMs, 50, 'until the people are a slice old');
    assert.equal(decideAdmission(log, 100, ask(0, 1), rules).background, 1);
  });

  it('admits people before polling in one decision, and a dry run records nothing', () => {
    const log: LogEntries = { all: Array.from({ length: 8 }, () => 0), background: [] };
    const dry = decideAdmission(log, 10, ask(3, 1, true), RULES);
    assert.deepEqual([dry.interactive, dry.background], [2, 0]);
    assert.equal(log.all.length, 8);
    const real = decideAdmission(log, 10, ask(3, 1), RULES);
    assert.deepEqual([real.interactive, real.background], [2, 0]);
    assert.equal(log.all.length, 10);
    assert.equal(real.interactiveRetryMs, 1_090);
  });

  it('keeps the in-memory log on the injected clock', async () => {
    let now = 0;
    const store = createMemoryWindowStore(RULES, () => now);
    assert.equal((await store.admit(ask(12, 0))).interactive, 10);
    now = 1_099;
    assert.equal((await store.admit(ask(1, 0))).interactive, 0);
    now = 1_100;
    const decision = await store.admit(ask(1, 0));
    assert.equal(decision.interactive, 1);
    assert.equal(decision.now, 1_100);
  });
});

describe('admission loop policy', () => {
  const base = { now: 1_000, waiting: { interactive: 0, background: 0 }, retryAt: { interactive: 0, background: 0 }, abandoned: 0, maxBatch: 25 };

  it('asks for every waiting person up to a batch and one poll, only when the log said there may be room', () => {
    assert.equal(nextAsk(base), undefined);
    assert.deepEqual(nextAsk({ ...base, waiting: { interactive: 40, background: 9 } }), { interactive: 25, background: 0, dryRun: false });
    assert.deepEqual(nextAsk({ ...base, waiting: { interactive: 3, background: 9 } }), { interactive: 3, background: 1, dryRun: false });
    assert.deepEqual(nextAsk({ ...base, waiting: { interactive: 3, background: 9 }, retryAt: { interactive: 1_500, background: 0 } }), {
      interactive: 0,
      background: 1,
      dryRun: false,
    });
    assert.equal(nextAsk({ ...base, waiting: { interactive: 3, background: 9 }, retryAt: { interactive: 1_500, background: 1_200 } }), undefined);
  });

  it('after an abandoned admission asks for one at a time, and after the re-admissions only looks', () => {
    const waiting = { interactive: 5, background: 5 };
    assert.deepEqual(nextAsk({ ...base, waiting, abandoned: 1 }), { interactive: 1, background: 0, dryRun: false });
    assert.deepEqual(nextAsk({ ...base, waiting, abandoned: MAX_ABANDONED_ADMISSIONS - 1 }), { interactive: 1, background: 0, dryRun: false });
    assert.deepEqual(nextAsk({ ...base, waiting, abandoned: MAX_ABANDONED_ADMISSIONS }), { interactive: 1, background: 0, dryRun: true });
    assert.equal(MAX_ABANDONED_ADMISSIONS, 3, 'the first admission and at most two re-admissions');
  });

  it('reads Redis error codes with and without the ERR prefix Redis 7 adds to script errors', () => {
    assert.equal(redisErrorCode(new Error('NOSCRIPT No matching script. Please use EVAL.')), 'NOSCRIPT');
    assert.equal(redisErrorCode(new Error('ERR NOSCRIPT No matching script')), 'NOSCRIPT');
    assert.equal(redisErrorCode(new Error('ERR SETTINGS_KEY_NOT_FOUND')), 'SETTINGS_KEY_NOT_FOUND');
    assert.equal(redisErrorCode('WRONGTYPE Operation against a key'), 'WRONGTYPE');
  });
});
