/**
 * The Redis script decides as `decideAdmission` does: the same log is written into Redis
 * (ages before Redis's own clock) and into memory, and the script's decision and what it
 * records are compared with the pure function's at the script's `now`. The ages keep a
 * margin of hundreds of ms from every threshold, so each case takes the branch it names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decideAdmission, type LogEntries, pruneLog, type WindowRules } from '../../../src/ratelimit/window-log.js';
import { createRedisWindowStore } from '../../../src/ratelimit/window-redis.js';
import { deleteKeysWith, openTestRedis, type TestRedis, uniquePrefix } from './redis-test-helpers.js';

const RULES: WindowRules = { limit: 10, spanMs: 11_000, backgroundLimit: 8, paceMs: 1_100, headroom: 2 };
const ages = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from - i * 1_000);

interface Case {
  name: string;
  /** Ages (ms before now) of every entry, and of the background ones among them. */
  all: number[];
  background?: number[];
  ask: { interactive: number; background: number; dryRun: boolean };
  rules?: Partial<WindowRules>;
  expect: { interactive: number; background: number };
}

const CASES: Case[] = [
  {
    name: 'keeps both free slots when nothing leaves within a pace',
    all: ages(9_000, 8),
    ask: { interactive: 0, background: 1, dryRun: false },
    expect: { interactive: 0, background: 0 },
  },
  {
    name: 'lends one when an entry leaves within a pace',
    all: [10_500, ...ages(9_000, 7)],
    ask: { interactive: 0, background: 1, dryRun: false },
    expect: { interactive: 0, background: 1 },
  },
  {
    name: 'never lends the last slot',
    all: [10_500, 10_400, ...ages(9_000, 8)].slice(0, 9),
    ask: { interactive: 0, background: 1, dryRun: false },
    expect: { interactive: 0, background: 0 },
  },
  { name: 'paces polling behind recent entries', all: [400, 300], ask: { interactive: 0, background: 1, dryRun: false }, expect: { interactive: 0, background: 0 } },
  { name: 'counts this decision’s people in the pace', all: [], ask: { interactive: 3, background: 1, dryRun: false }, expect: { interactive: 3, background: 0 } },
  {
    name: 'keeps polling out of the reserve',
    all: ages(9_000, 8),
    background: ages(9_000, 8),
    rules: { headroom: 0 },
    ask: { interactive: 0, background: 1, dryRun: false },
    expect: { interactive: 0, background: 0 },
  },
  { name: 'refuses people on a full log', all: ages(9_500, 10), ask: { interactive: 2, background: 1, dryRun: false }, expect: { interactive: 0, background: 0 } },
  { name: 'records nothing on a dry run', all: ages(9_000, 8), ask: { interactive: 3, background: 1, dryRun: true }, expect: { interactive: 2, background: 0 } },
];

describe('the Redis window script mirrors decideAdmission', () => {
  let client: TestRedis;
  const prefix = uniquePrefix('window-script');
  before(async () => {
    client = await openTestRedis();
  });
  after(async () => {
    await deleteKeysWith(prefix);
    client.destroy();
  });

  for (const [index, testCase] of CASES.entries()) {
    it(testCase.name, async () => {
      const rules = { ...RULES, ...testCase.rules };
      const base = `${prefix}:${index}`;
      const [seconds = '0', micros = '0'] = (await client.sendCommand(['TIME'])) as string[];
      const clock = Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
      const log: LogEntries = {
        all: testCase.all.map((age) => clock - age).sort((x, y) => x - y),
        background: (testCase.background ?? []).map((age) => clock - age).sort((x, y) => x - y),
      };
      for (const [i, at] of log.all.entries()) await client.zAdd(`${base}:log`, { score: at, value: `e${i}` });
      for (const [i, at] of log.background.entries()) await client.zAdd(`${base}:log-background`, { score: at, value: `e${log.all.indexOf(at)}b${i}` });

      const decision = await createRedisWindowStore(client, base, rules).admit(testCase.ask);
      pruneLog(log, decision.now, rules.spanMs);
      const expected = decideAdmission(log, decision.now, testCase.ask, rules);
      assert.deepEqual(decision, expected);
      assert.deepEqual({ interactive: decision.interactive, background: decision.background }, testCase.expect);
      assert.equal(await client.zCard(`${base}:log`), log.all.length, 'the script recorded what the function recorded');
      assert.equal(await client.zCard(`${base}:log-background`), log.background.length);
    });
  }
});
