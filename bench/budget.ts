/**
 * Benchmark of the Blocks rate budget (npm run bench:budget): two replica processes share
 * one API key's budget through Redis, against the Blocks fake (strict sliding window) in
 * this process. The window is shortened (10 s instead of 60 s); limit, reserve and the
 * margin's share of the window (1 s of 60 s) are the production ones. Four runs, each
 * on a key of its own:
 * 1. saturation: each replica keeps 30 polls queued and gets people's requests at random
 *    times, 12 per window on average (24 in all: more than the reserve);
 * 2. burst: the key idle for a window, then 25 people's requests at once on each replica;
 * 3. fault: one replica's Redis replies held back 1.5 s (a TCP relay here) while the other
 *    saturates the key: no request may arrive later than its admission record + the margin;
 * 4. recovery, on a redis-server of our own: the budget's keys deleted mid-run, then an idle
 *    gap longer than their TTL, then traffic again: every request admitted, no violation.
 *
 * The last line is one JSON object: violations (429s plus arrivals beyond the limit in the
 * busiest window, saturation run), utilization (arrivals in the measured windows / (limit ×
 * windows)), interactive_p95_wait_ms (from `schedule` to dispatch), burst_p95_wait_ms,
 * late_violations and fault_healthy_interactive_p95_wait_ms, recovered, then details.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { hashApiKey } from '../src/ratelimit/budget-id.js';
import { createFakeBlocks, FAKE_PRIORITY_HEADER, type FakeBlocks, maxInAnyWindow } from '../src/simulators/blocks.js';
import { startRedisRelay } from '../test/unit/ratelimit/redis-relay.js';
import { startOwnRedis } from '../test/unit/ratelimit/redis-server.js';
import { deleteKeysWith, keysWith } from '../test/unit/ratelimit/redis-test-helpers.js';
import type { WorkerResult, WorkerSettings, WorkerTask } from './budget-worker.js';

const LIMIT = 100;
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 10_000);
// The production ratio (1 s of 60 s); BENCH_MARGIN_MS=300 gives the 3 % the spacing budget needed.
const SAFETY_MARGIN_MS = Number(process.env.BENCH_MARGIN_MS ?? Math.round(WINDOW_MS / 60));
// Six measured windows draw about 150 people's requests: a p95 of ~70 (three windows) is
// the 4th-longest wait of the run, and moved by one unlucky person from run to run.
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 6);
const SETTLE_MS = 1_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const FAULT_DELAY_MS = 1_500;
const RECOVERY_WINDOW_MS = 2_000;

const fakeRequests = (run: { fake: FakeBlocks }) => run.fake.state.requests;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Replica {
  run(task: WorkerTask): Promise<WorkerResult>;
  stop(): void;
}

async function startReplica(settings: WorkerSettings): Promise<Replica> {
  const path = fileURLToPath(new URL('./budget-worker.ts', import.meta.url));
  const child: ChildProcess = fork(path, [JSON.stringify(settings)], { execPath: process.execPath, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  return {
    run: (task) =>
      new Promise((resolve, reject) => {
        const died = (code: number | null): void => reject(new Error(`a replica exited with ${code} during a ${task.type} run`));
        child.once('exit', died);
        child.once('message', (message: { result: WorkerResult }) => {
          child.off('exit', died);
          resolve(message.result);
        });
        child.send(task);
      }),
    stop: () => child.send({ type: 'stop' }),
  };
}

/** A fresh key, its fake and two replicas (the second one may reach Redis another way). */
async function startRun(window: number, redisUrls: [string, string]) {
  const apiKey = `blk_bench_${randomUUID().replace(/-/g, '')}`;
  const fake: FakeBlocks = await createFakeBlocks({ limit: LIMIT, windowMs: window, apiKeys: [apiKey] });
  const margin = Math.round(window * (SAFETY_MARGIN_MS / WINDOW_MS));
  const base = { fakeUrl: fake.url, apiKey, limit: LIMIT, windowMs: window, safetyMarginMs: margin, labelHeader: FAKE_PRIORITY_HEADER };
  const replicas = await Promise.all(redisUrls.map((redisUrl) => startReplica({ ...base, redisUrl })));
  const arrivals = () =>
    fake.state.requests.map((r) => ({ at: r.arrivalMs, status: r.status, priority: (r.priority ?? '').split('|')[0], recordedAt: Number((r.priority ?? '').split('|')[1]) }));
  return {
    fake,
    apiKey,
    margin,
    replicas,
    arrivals,
    violations: () =>
      arrivals().filter((a) => a.status === 429).length +
      Math.max(
        0,
        maxInAnyWindow(
          arrivals().map((a) => a.at),
          window,
        ) - LIMIT,
      ),
    late: () => arrivals().filter((a) => a.at - a.recordedAt > margin).length,
    async close() {
      for (const replica of replicas) replica.stop();
      await fake.close();
      await deleteKeysWith(hashApiKey(apiKey), redisUrls[0]);
    },
  };
}

console.log(
  `budget bench: 2 replicas, limit ${LIMIT} per window, window shortened to ${WINDOW_MS} ms (production 60000), margin ${SAFETY_MARGIN_MS} ms, reserve 10, ${WINDOWS} measured windows`,
);

// 1. Saturation.
const saturation = await startRun(WINDOW_MS, [REDIS_URL, REDIS_URL]);
const measureFrom = Date.now() + SETTLE_MS;
const measureTo = measureFrom + WINDOWS * WINDOW_MS;
const saturate: WorkerTask = { type: 'saturate', runMs: measureTo - Date.now() + 200, measureFrom, interactivePerWindow: 12, backgroundBacklog: 30 };
const [a, b] = await Promise.all(saturation.replicas.map((replica) => replica.run(saturate)));
const requests = saturation.arrivals();
const inWindows = requests.filter((r) => r.at >= measureFrom && r.at < measureTo);
const busiest = maxInAnyWindow(
  requests.map((r) => r.at),
  WINDOW_MS,
);
const backgroundBusiest = maxInAnyWindow(
  requests.filter((r) => r.priority === 'background').map((r) => r.at),
  WINDOW_MS,
);
const interactiveWaits = [...(a?.waits.interactive ?? []), ...(b?.waits.interactive ?? [])];
const backgroundWaits = [...(a?.waits.background ?? []), ...(b?.waits.background ?? [])];
const saturationViolations = saturation.violations();
const saturationLate = saturation.late();
await saturation.close();
if (process.env.BENCH_DEBUG) {
  // Where people's wait comes from: for each person, the log's count when it queued and when
  // the log (as the fake saw the admissions) first had a free slot after that. Waiting for a
  // free slot is the log being full; the rest is the loop, Redis round trips or the event loop.
  const span = WINDOW_MS + saturation.margin;
  const recorded = saturation
    .arrivals()
    .map((x) => x.recordedAt)
    .sort((x, y) => x - y);
  const count = (t: number): number => recorded.filter((r) => r > t - span && r <= t).length;
  const rows = fakeRequests(saturation).flatMap((r) => {
    const [priority, recordedAt, queuedAt] = (r.priority ?? '').split('|');
    if (priority !== 'interactive' || Number(queuedAt) < measureFrom) return [];
    const q = Number(queuedAt);
    const wait = Number(recordedAt) - q;
    let free = q;
    // First time after q with fewer than LIMIT entries (counting entries made up to then, excluding this one).
    while (free < Number(recordedAt) && recorded.filter((x) => x > free - span && x < free).length >= LIMIT) free += 1;
    return [{ q, wait, inLog: count(q), full: free - q, rest: wait - (free - q) }];
  });
  for (const row of rows.filter((x) => x.wait >= 20)) console.log(`person: waited ${row.wait} ms, log ${row.inLog} at queue, log full for ${row.full} ms, rest ${row.rest} ms`);
  console.log(
    `debug: ${rows.length} people; p95 wait ${percentile(
      rows.map((x) => x.wait),
      95,
    )}, p95 log-full ${percentile(
      rows.map((x) => x.full),
      95,
    )}, p95 rest ${percentile(
      rows.map((x) => x.rest),
      95,
    )}; found log full ${rows.filter((x) => x.inLog >= LIMIT).length}, at ${LIMIT - 1}: ${rows.filter((x) => x.inLog === LIMIT - 1).length}, at ${LIMIT - 2}: ${rows.filter((x) => x.inLog === LIMIT - 2).length}`,
  );
}
console.log(`saturation: ${inWindows.length} arrivals in ${WINDOWS} windows; busiest window ${busiest}, polling's busiest ${backgroundBusiest}`);
if (process.env.BENCH_SATURATION_ONLY) {
  console.log(
    JSON.stringify({
      violations: saturationViolations,
      utilization: Number((inWindows.length / (LIMIT * WINDOWS)).toFixed(3)),
      interactive_p95_wait_ms: percentile(interactiveWaits, 95),
      interactive_requests: interactiveWaits.length,
    }),
  );
  process.exit(0);
}

// 2. Burst after a quiet window.
const burst = await startRun(WINDOW_MS, [REDIS_URL, REDIS_URL]);
await Promise.all(burst.replicas.map((replica) => replica.run({ type: 'burst', count: 1 })));
await sleep(WINDOW_MS + SAFETY_MARGIN_MS);
const burstResults = await Promise.all(burst.replicas.map((replica) => replica.run({ type: 'burst', count: 25 })));
const burstWaits = burstResults.flatMap((r) => r.waits.interactive);
const burstViolations = burst.violations();
await burst.close();
console.log(`burst: ${burstWaits.length} people's requests after a quiet window`);

// 3. Fault: replica 2 reaches Redis through a relay that holds every reply back.
const relay = await startRedisRelay();
const fault = await startRun(WINDOW_MS, [REDIS_URL, relay.url]);
relay.setReplyDelay(FAULT_DELAY_MS);
const faultTask: WorkerTask = { type: 'saturate', runMs: 2 * WINDOW_MS, measureFrom: Date.now(), interactivePerWindow: 12, backgroundBacklog: 30 };
const [healthy, stalled] = await Promise.all(fault.replicas.map((replica) => replica.run(faultTask)));
const lateViolations = fault.late();
const faultViolations = fault.violations();
await fault.close();
await relay.cut();
console.log(`fault: healthy replica sent ${healthy?.sent}, stalled replica sent ${stalled?.sent}`);

// 4. Recovery on a Redis 7 of our own: keys deleted mid-run, then idle past their TTL.
const own = await startOwnRedis();
const recovery = await startRun(RECOVERY_WINDOW_MS, [own.url, own.url]);
const trickle: WorkerTask = { type: 'trickle', runMs: 2 * RECOVERY_WINDOW_MS, everyMs: 60 };
const beforeLoss = Promise.all(recovery.replicas.map((replica) => replica.run(trickle)));
await sleep(RECOVERY_WINDOW_MS);
const keysBefore = await keysWith(hashApiKey(recovery.apiKey), own.url);
await deleteKeysWith(hashApiKey(recovery.apiKey), own.url);
const first = await beforeLoss;
// TTL: two spans after the last call; idle a little longer than that.
await sleep(2 * (RECOVERY_WINDOW_MS + recovery.margin) + 1_000);
const keysAfterIdle = await keysWith(hashApiKey(recovery.apiKey), own.url);
const second = await Promise.all(recovery.replicas.map((replica) => replica.run(trickle)));
const recoveryErrors = [...first, ...second].reduce((sum, r) => sum + r.errors, 0);
const recoveryViolations = recovery.violations();
const recoveredSent = second.reduce((sum, r) => sum + r.sent, 0);
await recovery.close();
await own.stop();
const recovered = keysBefore.length > 0 && keysAfterIdle.length === 0 && recoveryErrors === 0 && recoveryViolations === 0 && recoveredSent > 0;
console.log(`recovery: keys before loss ${keysBefore.length}, after the idle gap ${keysAfterIdle.length}; sent after it ${recoveredSent}, errors ${recoveryErrors}`);

const summary = {
  violations: saturationViolations,
  utilization: Number((inWindows.length / (LIMIT * WINDOWS)).toFixed(3)),
  interactive_p95_wait_ms: percentile(interactiveWaits, 95),
  burst_p95_wait_ms: percentile(burstWaits, 95),
  late_violations: lateViolations,
  fault_healthy_interactive_p95_wait_ms: percentile(healthy?.waits.interactive ?? [], 95),
  recovered,
  window_ms: WINDOW_MS,
  safety_margin_ms: SAFETY_MARGIN_MS,
  windows: WINDOWS,
  requests: requests.length,
  busiest_window: busiest,
  background_busiest_window: backgroundBusiest,
  interactive_requests: interactiveWaits.length,
  interactive_p50_wait_ms: percentile(interactiveWaits, 50),
  interactive_max_wait_ms: percentile(interactiveWaits, 100),
  background_p95_wait_ms: percentile(backgroundWaits, 95),
  late_in_saturation: saturationLate,
  burst_max_wait_ms: percentile(burstWaits, 100),
  burst_violations: burstViolations,
  fault_violations: faultViolations,
  fault_healthy_sent: healthy?.sent ?? 0,
  fault_stalled_sent: stalled?.sent ?? 0,
  recovery_violations: recoveryViolations,
  worker_errors: (a?.errors ?? 0) + (b?.errors ?? 0),
};
console.log(JSON.stringify(summary));
