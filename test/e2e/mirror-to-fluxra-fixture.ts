/**
 * A mirrored world for the platform → Fluxra tests: fake Fluxra, Slack (Socket Mode, real
 * Bolt) and Discord (real discord.js), the real adapters, a SQLite store in a temp dir, and
 * the mirror engine routed like the composition root routes it. One Slack channel and one
 * Discord channel are linked to one Fluxra conversation of the bridge agent.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Agent } from 'undici';
import { configSchema } from '../../src/config/schema.js';
import { type ChannelRef, type ChatAdapter, type InboundEvent, isInteraction } from '../../src/core/chat.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import type { MirrorMetrics } from '../../src/core/metrics-hooks.js';
import { createMirrorEngine, type MirrorEngine } from '../../src/mirror/engine.js';
import type { MirrorConfig } from '../../src/mirror/mirror-item.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/platforms/discord/index.js';
import { createSlackAdapter, type SlackAdapter } from '../../src/platforms/slack/index.js';
import { createFluxraClient, type FluxraClient } from '../../src/services/fluxra/index.js';
import { createFakeDiscord, type FakeDiscord } from '../../src/simulators/discord.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra } from '../../src/simulators/fluxra.js';
import { createFakeSlack, type FakeSlack } from '../../src/simulators/slack.js';
import { createStore, type Store } from '../../src/store/index.js';

export const SLACK_TOKENS = { botToken: 'xoxb-5555_6666_mirrortoken', appToken: 'xapp-1-A555-7777-mirrorapptoken', signingSecret: 'mirror-signing-secret-0001' };
export const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.mirror.token-for-mirror-tests-00';
export const SLACK_CHANNEL = 'C0MIRROR';
export const SLACK_OTHER_CHANNEL = 'C0UNLINKED';
export const DISCORD_CHANNEL = '500000000000000001';
export const ALICE = { id: 'U0ALICE', name: 'alice', displayName: 'Alice' };
export const BOB = { id: '500000000000000009', username: 'bob', globalName: 'Bob' };

export const slackRef: ChannelRef = { platform: 'slack', channelId: SLACK_CHANNEL };
export const discordRef: ChannelRef = { platform: 'discord', channelId: DISCORD_CHANNEL };

export interface MirrorWorld {
  fluxra: FakeFluxra;
  bridgeAgent: FakeAgentCredentials;
  conversationId: string;
  slack: FakeSlack;
  discord: FakeDiscord;
  slackAdapter: SlackAdapter;
  discordAdapter: DiscordAdapter;
  client: FluxraClient;
  store: Store;
  engine: MirrorEngine;
  /** Every platform event the adapters emitted, in order. */
  events: InboundEvent[];
  logs: Array<Record<string, unknown>>;
  /** The SQLite file of the store (a CLI command may open it too). */
  storePath: string;
  /** Stops the engine and closes the store, then builds both again on the same SQLite file. */
  restart(): Promise<void>;
  /** Stops the engine only (its store stays open), e.g. to queue work while nothing delivers. */
  stopEngine(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_MIRROR_CONFIG: MirrorConfig = configSchema.shape.mirror.parse({ retryBaseMs: 10, retryMaxMs: 80, blockedProbeMs: 150 });

export async function startMirrorWorld(options: { mirror?: Partial<MirrorConfig>; metrics?: MirrorMetrics } = {}): Promise<MirrorWorld> {
  const logs: Array<Record<string, unknown>> = [];
  const logger: Logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    }),
  });
  const fluxra = await createFakeFluxra();
  const bridgeAgent = fluxra.createAgent({ agentName: 'fluxra-bridge' });
  const conversationId = fluxra.createConversation({ creatorId: bridgeAgent.agentId, name: 'mirror' }).conversationId;
  const slack = await createFakeSlack({
    ...SLACK_TOKENS,
    users: [{ id: ALICE.id, name: ALICE.name, displayName: ALICE.displayName }],
    channels: [
      { id: SLACK_CHANNEL, name: 'general' },
      { id: SLACK_OTHER_CHANNEL, name: 'random' },
    ],
  });
  const discord = await createFakeDiscord({ token: DISCORD_TOKEN, channels: [{ id: DISCORD_CHANNEL, name: 'general' }] });
  const dispatcher = new Agent({ connections: 16 });
  const client = createFluxraClient({
    baseUrl: fluxra.url,
    agentId: bridgeAgent.agentId,
    apiKey: bridgeAgent.apiKey,
    dispatcher,
    requestTimeoutMs: 2_000,
    tokenLifetimeFallbackSeconds: 3_600,
    renewBeforeExpirySeconds: 60,
    maxRetries: 2,
    retryBackoffMs: 5,
    rateLimitBackoffMs: 20,
    logger: logger.child({ component: 'fluxra' }),
  });

  const dir = await mkdtemp(join(tmpdir(), 'mirror-e2e-'));
  const storePath = join(dir, 'bridge.db');
  const mirrorConfig: MirrorConfig = { ...TEST_MIRROR_CONFIG, ...options.mirror };
  const events: InboundEvent[] = [];

  const slackAdapter = createSlackAdapter(
    { ...SLACK_TOKENS, mode: 'socket', port: 0, apiUrl: slack.apiUrl, commandNames: [], clientRetries: 0 },
    { logger: logger.child({ component: 'slack' }) },
  );
  const discordAdapter = createDiscordAdapter({ token: DISCORD_TOKEN, apiUrl: discord.apiUrl, commands: [], restRetries: 0 }, { logger: logger.child({ component: 'discord' }) });
  const adapters = new Map<ChatAdapter['platform'], ChatAdapter>([
    ['slack', slackAdapter],
    ['discord', discordAdapter],
  ]);

  let store = await createStore({ path: storePath }, { logger });
  const build = (): MirrorEngine =>
    createMirrorEngine({
      store,
      fluxra: client,
      adapters,
      config: mirrorConfig,
      selfAgentId: bridgeAgent.agentId,
      logger,
      stopTimeoutMs: 1_000,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
  let engine = build();

  for (const adapter of adapters.values()) {
    adapter.onEvent(async (event) => {
      events.push(event);
      if (!isInteraction(event)) await world.engine.accept(event, adapter);
    });
  }
  await slackAdapter.start();
  await slack.waitForSocket();
  await discordAdapter.start();
  await store.links.link(slackRef, { conversationId, linkedBy: 'test' });
  await store.links.link(discordRef, { conversationId, linkedBy: 'test' });
  await engine.start();

  let engineStopped = false;
  const world: MirrorWorld = {
    fluxra,
    bridgeAgent,
    conversationId,
    slack,
    discord,
    slackAdapter,
    discordAdapter,
    client,
    get store() {
      return store;
    },
    get engine() {
      return engine;
    },
    events,
    logs,
    storePath,
    async stopEngine() {
      if (engineStopped) return;
      engineStopped = true;
      await engine.stop();
    },
    async restart() {
      await world.stopEngine();
      await store.close();
      store = await createStore({ path: storePath }, { logger });
      engine = build();
      engineStopped = false;
      await engine.start();
    },
    async close() {
      await world.stopEngine();
      await slackAdapter.stop();
      await discordAdapter.stop();
      await store.close();
      await slack.close();
      await discord.close();
      await fluxra.close();
      await dispatcher.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

export { eventually } from '../support/eventually.js';
