/**
 * One replica of the budget benchmark (spawned by bench/budget.ts). It shares one key's
 * Blocks budget through Redis with the other replica and runs what the parent asks:
 * - `saturate`: a standing backlog of polls plus people's requests at random (Poisson) times;
 * - `burst`: that many people's requests at once;
 * - `trickle`: people's requests at a steady rate.
 * Every request carries `priority|recordedAt` in the fake's label header, so the parent can
 * tell how long after its admission record each request arrived. It reports how long each
 * request waited between `schedule` and its dispatch.
 */
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { createLogger } from '../src/core/logger.js';
import { createBlocksBudget } from '../src/ratelimit/blocks-budget.js';
import { createBudgetRedis } from '../src/ratelimit/budget-redis.js';
import type { RequestPriority } from '../src/ratelimit/types.js';
import { sendHttp } from '../src/services/http.js';

export interface WorkerSettings {
  fakeUrl: string;
  apiKey: string;
  redisUrl: string;
  limit: number;
  windowMs: number;
  safetyMarginMs: number;
  labelHeader: string;
}

export type WorkerTask =
  | { type: 'saturate'; runMs: number; measureFrom: number; interactivePerWindow: number; backgroundBacklog: number }
  | { type: 'burst'; count: number }
  | { type: 'trickle'; runMs: number; everyMs: number };

export interface WorkerResult {
  waits: Record<RequestPriority, number[]>;
  sent: number;
  errors: number;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as WorkerSettings;
const agent = new Agent({ connections: 32 });
const redis = await createBudgetRedis({ url: settings.redisUrl });
const budget = await createBlocksBudget({
  apiKey: settings.apiKey,
  redis,
  // BENCH_LOG=warn shows abandoned admissions and other budget warnings on stdout.
  ...(process.env.BENCH_LOG ? { logger: createLogger({ level: process.env.BENCH_LOG as 'warn', pretty: false }) } : {}),
  rateLimit: { limit: settings.limit, windowMs: settings.windowMs, safetyMarginMs: settings.safetyMarginMs, interactiveReserve: 10 },
});

let result: WorkerResult = { waits: { interactive: [], background: [] }, sent: 0, errors: 0 };
let running = false;
let measureFrom = 0;

function request(priority: RequestPriority): Promise<void> {
  const queuedAt = Date.now();
  return budget
    .schedule({ priority, label: `bench.${priority}` }, (admission) => {
      if (queuedAt >= measureFrom) result.waits[priority].push(Date.now() - queuedAt);
      result.sent += 1;
      return sendHttp(agent, {
        service: 'blocks',
        method: 'GET',
        url: new URL(`/rest/v1/sessions/${randomUUID()}`, settings.fakeUrl),
        headers: { authorization: `ApiKey ${settings.apiKey}`, [settings.labelHeader]: `${priority}|${admission?.recordedAt ?? 0}|${queuedAt}` },
        timeoutMs: 10_000,
      });
    })
    .then(
      () => undefined,
      () => {
        if (running) result.errors += 1;
      },
    );
}

function pollForever(): void {
  if (running) void request('background').then(pollForever);
}

function peopleArrive(meanGapMs: number): void {
  // Exponential gaps: people do not queue politely.
  const gap = -Math.log(1 - Math.random()) * meanGapMs;
  setTimeout(() => {
    if (!running) return;
    void request('interactive');
    peopleArrive(meanGapMs);
  }, gap);
}

async function run(task: WorkerTask): Promise<void> {
  result = { waits: { interactive: [], background: [] }, sent: 0, errors: 0 };
  running = true;
  measureFrom = task.type === 'saturate' ? task.measureFrom : 0;
  if (task.type === 'burst') {
    await Promise.all(Array.from({ length: task.count }, () => request('interactive')));
  } else if (task.type === 'saturate') {
    for (let i = 0; i < task.backgroundBacklog; i += 1) pollForever();
    peopleArrive(settings.windowMs / task.interactivePerWindow);
    await new Promise((resolve) => setTimeout(resolve, task.runMs));
  } else {
    const jobs: Array<Promise<void>> = [];
    const timer = setInterval(() => jobs.push(request('interactive')), task.everyMs);
    await new Promise((resolve) => setTimeout(resolve, task.runMs));
    clearInterval(timer);
    await Promise.all(jobs);
  }
  running = false;
  process.send?.({ type: 'result', result });
}

process.on('message', (message: WorkerTask | { type: 'stop' }) => {
  if (message.type !== 'stop') {
    void run(message);
    return;
  }
  // Closing a Redis connection behind the fault run's cut relay waits for a QUIT reply that
  // never comes, and a live replica keeps the parent from exiting: give closing 2 s.
  setTimeout(() => process.exit(0), 2_000).unref();
  void (async () => {
    await budget.close();
    await redis.close();
    await agent.close();
    // Requests still waiting on a stalled Redis would keep the process alive: this replica is done.
    process.exit(0);
  })();
});

process.send?.({ type: 'ready' });
