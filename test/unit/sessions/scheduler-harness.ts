/**
 * The scheduler wired the way the bridge wires it: the real Blocks budget and client (real
 * undici Agent) against the Blocks fake with its strict sliding window, on a shortened
 * window. The `poll` it gives the scheduler is what the session engine does: one
 * `pollFinalMessage` per call, 'done' once the final message is there.
 */
import { Agent } from 'undici';
import type { BridgeConfig } from '../../../src/config/schema.js';
import { createBlocksBudget } from '../../../src/ratelimit/blocks-budget.js';
import type { RateBudget } from '../../../src/ratelimit/types.js';
import { type BlocksClient, type BlocksTurn, createBlocksClient } from '../../../src/services/blocks/index.js';
import { createTurnScheduler, type TurnScheduler, type TurnSchedulerOptions } from '../../../src/sessions/scheduler.js';
import { createFakeBlocks, type FakeBlocks, type FakeBlocksOptions, type FakeRequestRecord } from '../../../src/simulators/blocks.js';

export interface SchedulerHarnessOptions {
  rateLimit: BridgeConfig['blocks']['rateLimit'];
  sessions: BridgeConfig['sessions'];
  fake?: FakeBlocksOptions;
  scheduler?: Partial<TurnSchedulerOptions>;
}

export interface SchedulerHarness {
  fake: FakeBlocks;
  budget: RateBudget;
  client: BlocksClient;
  scheduler: TurnScheduler;
  /** Turns by thread id (the scheduler's turn id). */
  turns: Map<string, BlocksTurn>;
  /** Starts `count` sessions (people's priority) and returns their thread ids. */
  createTurns(count: number): Promise<string[]>;
  /** Poll requests that reached the fake for this turn. */
  pollsOf(threadId: string): FakeRequestRecord[];
  close(): Promise<void>;
}

/** The thread id in a `…/threads/{tid}/messages` path. */
export function threadOfPath(path: string): string | undefined {
  return /\/threads\/([^/]+)\/messages$/.exec(path)?.[1];
}

export async function startSchedulerHarness(options: SchedulerHarnessOptions): Promise<SchedulerHarness> {
  const fake = await createFakeBlocks({ limit: options.rateLimit.limit, windowMs: options.rateLimit.windowMs, script: { manual: true }, ...options.fake });
  const agent = new Agent({ connections: 8, keepAliveTimeout: 1_000 });
  const budget = await createBlocksBudget({ apiKey: fake.apiKey, rateLimit: options.rateLimit });
  // No client retries: a failed poll reaches the scheduler, whose backoff is under test.
  const client = createBlocksClient({ baseUrl: fake.url, apiKey: fake.apiKey, dispatcher: agent, budget, maxRetries: 0, requestTimeoutMs: 5_000, sendPriorityHeader: true });
  const turns = new Map<string, BlocksTurn>();
  const scheduler = createTurnScheduler({
    budget,
    config: options.sessions,
    rateLimit: options.rateLimit,
    async poll(threadId) {
      const turn = turns.get(threadId);
      if (!turn) return 'done';
      return (await client.pollFinalMessage(turn)) ? 'done' : 'pending';
    },
    ...options.scheduler,
  });

  return {
    fake,
    budget,
    client,
    scheduler,
    turns,
    async createTurns(count) {
      const created = await Promise.all(Array.from({ length: count }, (_, i) => client.createSession({ agentName: 'claude', message: `task ${i}` })));
      return created.map(({ turn }) => {
        const threadId = turn.threadId ?? '';
        turns.set(threadId, turn);
        return threadId;
      });
    },
    pollsOf(threadId) {
      return fake.state.requests.filter((r) => r.method === 'GET' && threadOfPath(r.path) === threadId);
    },
    async close() {
      await scheduler.stop();
      await budget.close();
      await fake.close();
      await agent.close();
    },
  };
}

export { eventually } from '../../support/eventually.js';
