/**
 * Benchmark of the Blocks rate budget (npm run bench:budget): two replica processes share
 * one API key's budget through the real local Redis and saturate it with a mix of people's
 * requests and polling, against the Blocks fake (strict sliding window) in this process.
 * The window is shortened (10 s instead of 60 s) so that several windows fit in half a
 * minute; limit and reserve are the production ones, the margin is 3% of the window (1.7%
 * in production). Each replica keeps 30 polls queued at all times and gets people's
 * requests at random times, 12 per window on average (24 in all: more than the reserve,
 * so that people and polling together can saturate the key).
 *
 * The last line is one JSON object: violations (429s plus arrivals beyond the limit in the
 * busiest window), utilization (arrivals in the measured windows / (limit × windows)),
 * interactive_p95_wait_ms (from `schedule` to dispatch), then details.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createFakeBlocks, FAKE_PRIORITY_HEADER, maxInAnyWindow } from '../src/simulators/blocks.js';
import type { WorkerResult, WorkerSettings } from './budget-worker.js';

const LIMIT = 100;
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 10_000);
const SAFETY_MARGIN_MS = Number(process.env.BENCH_MARGIN_MS ?? Math.round(WINDOW_MS * 0.03));
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 3);
const SETTLE_MS = 1_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = `blk_bench_${randomUUID().replace(/-/g, '')}`;
const ID_PREFIX = `bench-${randomUUID().slice(0, 8)}`;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const fake = await createFakeBlocks({ limit: LIMIT, windowMs: WINDOW_MS, apiKeys: [API_KEY] });
const settings: WorkerSettings = {
  fakeUrl: fake.url,
  apiKey: API_KEY,
  redisUrl: REDIS_URL,
  idPrefix: ID_PREFIX,
  windowMs: WINDOW_MS,
  safetyMarginMs: SAFETY_MARGIN_MS,
  interactivePerWindow: 12,
  backgroundBacklog: 30,
  labelHeader: FAKE_PRIORITY_HEADER,
};
console.log(`budget bench: 2 replicas, limit ${LIMIT} per window, window shortened to ${WINDOW_MS} ms (production 60000), margin ${SAFETY_MARGIN_MS} ms, reserve 10, ${WINDOWS} measured windows`);

const workerPath = fileURLToPath(new URL('./budget-worker.ts', import.meta.url));
const workers = [0, 1].map(() =>
  fork(workerPath, [JSON.stringify(settings)], { execPath: process.execPath, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
);
const results: Promise<WorkerResult>[] = workers.map(
  (worker) =>
    new Promise((resolve, reject) => {
      worker.on('message', (message: { type: string; result?: WorkerResult }) => {
        if (message.type === 'result' && message.result) resolve(message.result);
      });
      worker.on('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)));
    }),
);
await Promise.all(
  workers.map((worker) => new Promise<void>((resolve) => worker.on('message', (m: { type: string }) => m.type === 'ready' && resolve()))),
);

const goAt = Date.now();
const measureFrom = goAt + SETTLE_MS;
const measureTo = measureFrom + WINDOWS * WINDOW_MS;
const runMs = measureTo - goAt + 200;
for (const worker of workers) worker.send({ type: 'go', runMs, measureFrom });
const [a, b] = await Promise.all(results);

const requests = fake.state.requests;
const inWindows = requests.filter((r) => r.arrivalMs >= measureFrom && r.arrivalMs < measureTo);
const tooMany = requests.filter((r) => r.status === 429).length;
const busiest = maxInAnyWindow(requests.map((r) => r.arrivalMs), WINDOW_MS);
const backgroundBusiest = maxInAnyWindow(
  requests.filter((r) => r.priority === 'background').map((r) => r.arrivalMs),
  WINDOW_MS,
);
const interactiveWaits = [...(a?.waits.interactive ?? []), ...(b?.waits.interactive ?? [])];
const backgroundWaits = [...(a?.waits.background ?? []), ...(b?.waits.background ?? [])];

if (process.env.BENCH_DEBUG) {
  const times = inWindows.map((r) => r.arrivalMs).sort((x, y) => x - y);
  const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
  const slot = Math.ceil((WINDOW_MS + SAFETY_MARGIN_MS) / LIMIT);
  // Gaps rounded to 10 ms buckets: how evenly the budget spaced the requests.
  const histogram: Record<string, number> = {};
  for (const gap of gaps) {
    const bucket = String(Math.round(gap / 10) * 10);
    histogram[bucket] = (histogram[bucket] ?? 0) + 1;
  }
  console.log('gap histogram (ms):', JSON.stringify(histogram), 'slot', slot);
}
await fake.close();
const redis = new Redis(REDIS_URL);
const keys = await redis.keys(`*${ID_PREFIX}*`);
if (keys.length > 0) await redis.del(...keys);
redis.disconnect();

const summary = {
  violations: tooMany + Math.max(0, busiest - LIMIT),
  utilization: Number((inWindows.length / (LIMIT * WINDOWS)).toFixed(3)),
  interactive_p95_wait_ms: percentile(interactiveWaits, 95),
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
  worker_errors: (a?.errors ?? 0) + (b?.errors ?? 0),
};
console.log(`arrivals in the ${WINDOWS} measured windows: ${inWindows.length}; busiest window ${busiest}, polling's busiest ${backgroundBusiest}`);
console.log(JSON.stringify(summary));
