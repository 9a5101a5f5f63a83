/**
 * The agent-session engine and /agent wired as the composition root wires them (store,
 * Blocks budget and client, poll scheduler, router), against the fake Blocks and the real
 * Slack adapter (Socket Mode) or Discord adapter on their fakes. Time is compressed through
 * configuration only: a 1 s rate window and short poll intervals.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Agent } from 'undici';
import { createAgentCommand } from '../../src/commands/agent.js';
import { createPermissions } from '../../src/commands/permissions.js';
import { type CommandRouter, createCommandRouter } from '../../src/commands/router.js';
import type { CommandHandler } from '../../src/commands/types.js';
import { type BridgeConfig, sessionsDefaults } from '../../src/config/schema.js';
import type { ChatAdapter, InboundEvent } from '../../src/core/chat.js';
import { createLogger } from '../../src/core/logger.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/platforms/discord/index.js';
import type { SlackAdapterConfig } from '../../src/platforms/slack/config.js';
import { createBlocksBudget } from '../../src/ratelimit/blocks-budget.js';
import type { RateBudget } from '../../src/ratelimit/types.js';
import { createBlocksClient } from '../../src/services/blocks/index.js';
import { createSessionEngine, type SessionEngine } from '../../src/sessions/engine.js';
import { type AgentQuotaConfig, createAgentQuota } from '../../src/sessions/quota.js';
import { createTurnScheduler } from '../../src/sessions/scheduler.js';
import { createFakeBlocks, type FakeBlocks, type FakeBlocksOptions } from '../../src/simulators/blocks.js';
import { createFakeDiscord, type FakeDiscord } from '../../src/simulators/discord.js';
import type { FakeSlackChannel } from '../../src/simulators/slack/state.js';
import { createStore, type Store } from '../../src/store/index.js';
import { type SlackPair, startSlackPair } from '../support/slack-harness.js';

export const RATE_LIMIT: BridgeConfig['blocks']['rateLimit'] = {
  limit: 100,
  windowMs: 1_000,
  safetyMarginMs: 0,
  interactiveReserve: 10,
  backoffMs: 50,
  maxBackoffMs: 200,
  shareAcrossPrefixes: true,
};
export const SESSIONS: BridgeConfig['sessions'] = {
  ...sessionsDefaults(),
  pollIntervalMs: 40,
  maxPollIntervalMs: 150,
  turnTimeoutMinutes: 60,
  attachAsFileOverChars: 12_000,
  boundChannelMode: 'queue',
};
export const ALIAS_ID = '0b7f5a4e-1111-4c2d-9a00-00000000a11a';
export const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.fake00.token-for-sessions-0000';
export const GUILD_ID = '100000000000000001';
export const DISCORD_CHANNEL = '200000000000000001';

export interface SessionsRig {
  blocks: FakeBlocks;
  store: Store;
  engine: SessionEngine;
  router: CommandRouter;
  budget: RateBudget;
  slack?: SlackPair;
  discord?: { fake: FakeDiscord; adapter: DiscordAdapter };
  logs: Array<Record<string, unknown>>;
  restartEngine(): Promise<void>;
  close(): Promise<void>;
}

export interface RigOptions {
  platform: 'slack' | 'discord';
  blocks?: FakeBlocksOptions;
  /** Point the client somewhere else (a proxy in front of the fake). */
  blocksUrl?: (fake: FakeBlocks) => Promise<string>;
  apiKey?: string;
  sessions?: Partial<BridgeConfig['sessions']>;
  requestTimeoutMs?: number;
  defaultAgent?: string;
  queuedNoticeMs?: number;
  /** Agent quotas as the composition root builds them from `agentQuota` (default: none). */
  quota?: AgentQuotaConfig;
  /** An existing store to share (a second replica); default a fresh SQLite file. */
  store?: Store;
  /** Slack channels the fake knows (for `conversations.info`), and Discord's (default: one public). */
  slackChannels?: FakeSlackChannel[];
  /** Slack adapter settings beside the harness's own (e.g. the side pane, `assistant`). */
  slackAdapter?: Partial<SlackAdapterConfig>;
  discordChannels?: Array<{ id: string; name: string; private?: boolean }>;
  /** More Discord guilds the bot is in (another tenant). */
  discordOtherGuilds?: Array<{ id: string; name?: string; channels: Array<{ id: string; name: string }> }>;
  /** Fault injection around the real Blocks budget (e.g. a Redis blip that fails one admission). */
  wrapBudget?: (budget: RateBudget) => RateBudget;
  /** More commands beside /agent (e.g. /bridge with its agent half), built on the engine. */
  extraHandlers?: (engine: SessionEngine, store: Store) => CommandHandler<never>[];
}

export async function startSessionsRig(options: RigOptions): Promise<SessionsRig> {
  const blocks = await createFakeBlocks({ windowMs: RATE_LIMIT.windowMs, limit: RATE_LIMIT.limit, ...options.blocks });
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    }),
  });
  const store = options.store ?? (await createStore({ path: join(mkdtempSync(join(tmpdir(), 'sessions-e2e-')), 'bridge.db') }, { logger }));
  const apiKey = options.apiKey ?? blocks.apiKey;
  const realBudget = await createBlocksBudget({ apiKey, rateLimit: RATE_LIMIT, logger });
  const budget = options.wrapBudget ? options.wrapBudget(realBudget) : realBudget;
  const dispatcher = new Agent();
  const baseUrl = options.blocksUrl ? await options.blocksUrl(blocks) : blocks.url;
  const client = createBlocksClient({
    baseUrl,
    apiKey,
    dispatcher,
    budget,
    requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
    agentAliases: { reviewer: ALIAS_ID },
    backoffMs: RATE_LIMIT.backoffMs,
    maxBackoffMs: RATE_LIMIT.maxBackoffMs,
    logger,
  });
  const sessions = { ...SESSIONS, ...options.sessions };
  const adapters = new Map<ChatAdapter['platform'], ChatAdapter>();
  const buildEngine = (): SessionEngine =>
    createSessionEngine({
      store,
      blocks: client,
      budget,
      adapters,
      settings: { sessions, defaultAgent: options.defaultAgent ?? 'claude', commandName: 'agent', blocksBaseUrl: baseUrl },
      createScheduler: (poll) => createTurnScheduler({ budget, config: sessions, rateLimit: RATE_LIMIT, poll, logger }),
      logger,
      ...(options.queuedNoticeMs !== undefined ? { queuedNoticeMs: options.queuedNoticeMs } : {}),
      ...(options.quota
        ? { quota: createAgentQuota({ ledger: store.agentQuota, config: options.quota, turnTimeoutMs: sessions.turnTimeoutMinutes * 60_000, now: Date.now, logger }) }
        : {}),
      retryDelayMs: 50,
    });
  let engine = buildEngine();
  const router = createCommandRouter({
    handlers: [
      createAgentCommand({ name: 'agent', engine, resolveAgent: (name) => client.resolveAgent(name) }) as CommandHandler<never>,
      ...(options.extraHandlers?.(engine, store) ?? []),
    ],
    permissions: createPermissions({ slackAllowedUserIds: [], discordAllowedUserIds: [], allowPrivilegedUsers: true }),
    logger,
  });
  const route = async (event: InboundEvent, adapter: ChatAdapter): Promise<void> => {
    if (event.kind === 'command') await router.handle(event, adapter);
    else if (event.kind === 'button' || event.kind === 'form') await engine.handleButton(event, adapter);
    else await engine.accept(event, adapter);
  };

  let slack: SlackPair | undefined;
  let discord: { fake: FakeDiscord; adapter: DiscordAdapter } | undefined;
  if (options.platform === 'slack') {
    slack = await startSlackPair('socket', {
      fake: {
        users: [
          { id: 'UADA', name: 'ada', displayName: 'Ada', isAdmin: true },
          { id: 'UBOB', name: 'bob' },
        ],
        ...(options.slackChannels ? { channels: options.slackChannels } : {}),
      },
      ...(options.slackAdapter ? { adapter: options.slackAdapter } : {}),
    });
    const adapter = slack.adapter;
    adapters.set('slack', adapter);
    slack.setBehaviour((event) => route(event, adapter));
  } else {
    const fake = await createFakeDiscord({
      token: DISCORD_TOKEN,
      guildId: GUILD_ID,
      channels: options.discordChannels ?? [{ id: DISCORD_CHANNEL, name: 'general' }],
      ...(options.discordOtherGuilds ? { otherGuilds: options.discordOtherGuilds } : {}),
    });
    const adapter = createDiscordAdapter({ token: DISCORD_TOKEN, apiUrl: fake.apiUrl, commands: [...router.specs], restRetries: 0 }, { logger });
    adapter.onEvent((event) => route(event, adapter));
    await adapter.start();
    adapters.set('discord', adapter);
    discord = { fake, adapter };
  }
  await engine.start();

  return {
    blocks,
    store,
    get engine() {
      return engine;
    },
    /** A restart of the engine (what a process restart loses: everything in memory), over the same store and chats. */
    async restartEngine() {
      await engine.stop();
      engine = buildEngine();
      await engine.start();
    },
    router,
    budget,
    ...(slack ? { slack } : {}),
    ...(discord ? { discord } : {}),
    logs,
    async close() {
      await engine.stop();
      if (slack) await slack.stop();
      if (discord) {
        await discord.adapter.stop();
        await discord.fake.close();
      }
      await budget.close();
      await realBudget.close();
      await store.close();
      await dispatcher.close();
      await blocks.close();
    },
  };
}

export { eventually } from '../support/eventually.js';
