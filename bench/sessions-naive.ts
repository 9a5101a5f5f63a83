/**
 * The naive strategy of the Blocks docs, for comparison in bench/sessions.ts: every session
 * GETs its `final_message` link on a fixed interval (5 s in the docs), with no shared
 * budget. It uses the real Blocks client with a budget that lets everything through and no
 * retries, so each tick is exactly one request, as in the docs' loop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import type { BudgetSnapshot, RateBudget } from '../src/ratelimit/types.js';
import { createBlocksClient } from '../src/services/blocks/index.js';
import { createFakeBlocks, type FakeBlocksOptions } from '../src/simulators/blocks.js';

export interface NaiveRunOptions {
  sessions: number;
  limit: number;
  windowMs: number;
  pollEveryMs: number;
  /** Stop polling this long after the last agent has answered (sessions never answered are counted). */
  graceMs: number;
  blocks: FakeBlocksOptions;
}

export interface NaiveRunResult {
  /** From the final message's creation to the poll that saw it, per answered session. */
  delays: number[];
  /** Sessions whose answer no poll saw before the run ended. */
  unanswered: number;
  /** For those, how long their answer had been waiting when the run ended (a lower bound of their delay). */
  unansweredWaits: number[];
  tooMany: number;
  requests: number;
  violations: number;
}

/** Lets every request through at once: the docs' loop knows no budget. */
function noBudget(): RateBudget {
  return {
    schedule: (_options, send) => send(),
    async pause() {},
    estimateWaitMs: () => 0,
    snapshot: (): BudgetSnapshot => ({ usedInWindow: 0, limit: 0, windowMs: 0, queued: { interactive: 0, background: 0 }, pausedUntil: 0 }),
    async close() {},
  };
}

export async function runNaive(options: NaiveRunOptions): Promise<NaiveRunResult> {
  const fake = await createFakeBlocks({ limit: options.limit, windowMs: options.windowMs, ...options.blocks });
  const dispatcher = new Agent({ connections: 64 });
  const client = createBlocksClient({ baseUrl: fake.url, apiKey: fake.apiKey, dispatcher, budget: noBudget(), maxRetries: 0 });
  const seenAt = new Map<string, number>();
  let stopAt = Number.POSITIVE_INFINITY;
  try {
    const created = await Promise.all(Array.from({ length: options.sessions }, (_, i) => client.createSession({ agentName: 'claude', message: `task-${i}` })));
    const loops = created.map(async ({ turn }) => {
      for (;;) {
        await sleep(options.pollEveryMs);
        if (Date.now() >= stopAt) return;
        try {
          if (await client.pollFinalMessage(turn)) {
            seenAt.set(turn.threadId ?? '', Date.now());
            return;
          }
        } catch {
          // A 429: the docs' loop just tries again on the next tick.
        }
      }
    });
    // Every agent has answered once each turn is no longer running; then the grace period.
    const turns = () => [...fake.state.sessions.values()].flatMap((session) => session.turns);
    while (turns().some((turn) => turn.status === 'running')) await sleep(50);
    stopAt = Date.now() + options.graceMs;
    await Promise.all(loops);

    const result: NaiveRunResult = { delays: [], unanswered: 0, unansweredWaits: [], tooMany: 0, requests: fake.state.requests.length, violations: fake.state.violations };
    for (const session of fake.state.sessions.values()) {
      const final = session.messages.find((message) => message.type === 'final_message');
      const threadId = session.turns[0]?.threadId ?? '';
      if (!final) continue;
      const createdAt = Date.parse(final.created_at);
      const seen = seenAt.get(threadId);
      if (seen === undefined) {
        result.unanswered += 1;
        result.unansweredWaits.push(stopAt - createdAt);
      } else {
        result.delays.push(seen - createdAt);
      }
    }
    result.tooMany = fake.state.requests.filter((r) => r.status === 429).length;
    return result;
  } finally {
    await fake.close();
    await dispatcher.close();
  }
}
