/**
 * One replica of the budget benchmark (spawned twice by bench/budget.ts). It shares the
 * Blocks budget through Redis with the other replica and keeps it saturated: a standing
 * backlog of polls plus people's requests arriving at random (Poisson) times. It reports
 * how long each request waited between `schedule` and its dispatch.
 */
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { createBlocksBudget } from '../src/ratelimit/blocks-budget.js';
import { createBudgetRedis } from '../src/ratelimit/budget-redis.js';
import type { RequestPriority } from '../src/ratelimit/types.js';
import { sendHttp } from '../src/services/http.js';

export interface WorkerSettings {
  fakeUrl: string;
  apiKey: string;
  redisUrl: string;
  idPrefix: string;
  windowMs: number;
  safetyMarginMs: number;
  interactivePerWindow: number;
  backgroundBacklog: number;
  labelHeader: string;
}

export interface WorkerResult {
  waits: Record<RequestPriority, number[]>;
  errors: number;
}

type Message = { type: 'go'; runMs: number; measureFrom: number };

const settings = JSON.parse(process.argv[2] ?? '{}') as WorkerSettings;
const agent = new Agent({ connections: 16 });
const redis = await createBudgetRedis({ url: settings.redisUrl });
const budget = await createBlocksBudget({
  apiKey: settings.apiKey,
  redis,
  idPrefix: settings.idPrefix,
  rateLimit: { limit: 100, windowMs: settings.windowMs, safetyMarginMs: settings.safetyMarginMs, interactiveReserve: 10 },
});

const result: WorkerResult = { waits: { interactive: [], background: [] }, errors: 0 };
let running = true;
let measureFrom = Number.POSITIVE_INFINITY;

function request(priority: RequestPriority): Promise<void> {
  const queuedAt = Date.now();
  return budget
    .schedule({ priority, label: `bench.${priority}` }, () => {
      const dispatchedAt = Date.now();
      if (queuedAt >= measureFrom) result.waits[priority].push(dispatchedAt - queuedAt);
      return sendHttp(agent, {
        service: 'blocks',
        method: 'GET',
        url: new URL(`/rest/v1/sessions/${randomUUID()}`, settings.fakeUrl),
        headers: { authorization: `ApiKey ${settings.apiKey}`, [settings.labelHeader]: priority },
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
  if (!running) return;
  void request('background').then(pollForever);
}

function peopleArrive(meanGapMs: number): void {
  if (!running) return;
  // Exponential gaps: people do not queue politely.
  const gap = -Math.log(1 - Math.random()) * meanGapMs;
  setTimeout(() => {
    if (!running) return;
    void request('interactive');
    peopleArrive(meanGapMs);
  }, gap);
}

process.on('message', (message: Message) => {
  if (message.type !== 'go') return;
  measureFrom = message.measureFrom;
  for (let i = 0; i < settings.backgroundBacklog; i += 1) pollForever();
  peopleArrive(settings.windowMs / settings.interactivePerWindow);
  setTimeout(() => {
    running = false;
    void (async () => {
      await budget.close();
      await redis.close();
      await agent.close();
      process.send?.({ type: 'result', result });
      process.disconnect?.();
    })();
  }, message.runMs);
});

process.send?.({ type: 'ready' });
