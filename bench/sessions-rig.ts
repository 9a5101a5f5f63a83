/**
 * The bridge's agent-session path as the composition root builds it (store, Blocks budget
 * and client, poll scheduler, session engine) behind the real Slack adapter (real Bolt in
 * Socket Mode) on the fake Slack, against the strict Blocks fake. Only the configuration
 * is shortened, never the code: the rate window, poll intervals and agent delays are all
 * divided by the same factor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import type { BridgeConfig } from '../src/config/schema.js';
import { type ChatAdapter, type InboundEvent, isInteraction } from '../src/core/chat.js';
import { silentLogger } from '../src/core/logger.js';
import { createBlocksBudget } from '../src/ratelimit/blocks-budget.js';
import { createBlocksClient } from '../src/services/blocks/index.js';
import { createSessionEngine, type SessionEngine } from '../src/sessions/engine.js';
import { createTurnScheduler } from '../src/sessions/scheduler.js';
import { createFakeBlocks, type FakeBlocks, type FakeBlocksOptions } from '../src/simulators/blocks.js';
import { createStore } from '../src/store/index.js';
import { type SlackPair, startSlackPair } from '../test/support/slack-harness.js';

export interface SessionsRigOptions {
  rateLimit: BridgeConfig['blocks']['rateLimit'];
  sessions: BridgeConfig['sessions'];
  blocks: FakeBlocksOptions;
}

export interface SessionsRig {
  blocks: FakeBlocks;
  slack: SlackPair;
  engine: SessionEngine;
  close(): Promise<void>;
}

export async function startSessionsRig(options: SessionsRigOptions): Promise<SessionsRig> {
  const logger = silentLogger();
  const blocks = await createFakeBlocks({ limit: options.rateLimit.limit, windowMs: options.rateLimit.windowMs, ...options.blocks });
  const dir = mkdtempSync(join(tmpdir(), 'bench-sessions-'));
  const store = await createStore({ path: join(dir, 'bridge.db') }, { logger });
  const budget = await createBlocksBudget({ apiKey: blocks.apiKey, rateLimit: options.rateLimit, logger });
  const dispatcher = new Agent({ connections: 16 });
  const client = createBlocksClient({
    baseUrl: blocks.url,
    apiKey: blocks.apiKey,
    dispatcher,
    budget,
    backoffMs: options.rateLimit.backoffMs,
    maxBackoffMs: options.rateLimit.maxBackoffMs,
    sendPriorityHeader: true,
    logger,
  });
  const adapters = new Map<ChatAdapter['platform'], ChatAdapter>();
  const engine = createSessionEngine({
    store,
    blocks: client,
    budget,
    adapters,
    settings: { sessions: options.sessions, defaultAgent: 'claude', commandName: 'agent', blocksBaseUrl: blocks.url },
    createScheduler: (poll) => createTurnScheduler({ budget, config: options.sessions, rateLimit: options.rateLimit, poll, logger }),
    logger,
  });
  const slack = await startSlackPair('socket');
  adapters.set('slack', slack.adapter);
  slack.setBehaviour(async (event: InboundEvent) => {
    if (!isInteraction(event)) await engine.accept(event, slack.adapter);
  });
  await engine.start();

  return {
    blocks,
    slack,
    engine,
    async close() {
      await engine.stop();
      await slack.stop();
      await budget.close();
      await store.close();
      await dispatcher.close();
      await blocks.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
