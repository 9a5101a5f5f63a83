/**
 * Fluxra → platforms end to end: the real Fluxra client (with the real Fluxra rate budget)
 * against the fake Fluxra, the real Slack and Discord adapters against their fakes, a real
 * SQLite store, and the poller under test built over them. Each test takes its own channel
 * pair and conversation, so tests do not see each other's messages.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Agent } from 'undici';
import type { ChannelRef, ChatAdapter } from '../../src/core/chat.js';
import type { AdapterDirectory } from '../../src/core/consumer.js';
import { createLogger, type Logger, silentLogger } from '../../src/core/logger.js';
import { createFluxraPoller, type FluxraPoller } from '../../src/mirror/from-fluxra/poller.js';
import type { MirrorConfig } from '../../src/mirror/mirror-item.js';
import { createFluxraBudget } from '../../src/ratelimit/fluxra-budget.js';
import type { RateBudget, ScheduleOptions } from '../../src/ratelimit/types.js';
import { createFluxraClient, type FluxraClient } from '../../src/services/fluxra/index.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra } from '../../src/simulators/fluxra.js';
import { createStore, type Store } from '../../src/store/index.js';
import { CHANNEL_ID, type Harness as DiscordHarness, startHarness } from '../support/discord-harness.js';
import { type SlackPair, startSlackPair } from '../support/slack-harness.js';

/** Fast schedules so that a test sees several polls and scans in well under a second. */
export const TEST_MIRROR_CONFIG: MirrorConfig = {
  attributionFormat: '[{name} · {platform}] {text}',
  allowBotMessages: false,
  pollIntervalMs: 20,
  idlePollIntervalMs: 40,
  activeForMs: 1_000,
  editScanIntervalMs: 60,
  editScanSize: 50,
  retryBaseMs: 20,
  retryMaxMs: 200,
  blockedProbeMs: 1_000,
  maxAttempts: 12,
};

/** Discord text channels the fake knows: one per test (CHANNEL_ID is the harness default). */
export const DISCORD_CHANNELS = Array.from({ length: 12 }, (_, i) => `2100000000000000${String(i + 10)}`);

export interface Pair {
  conversationId: string;
  slack: ChannelRef;
  discord: ChannelRef;
}

export interface World {
  store: Store;
  slack: SlackPair;
  discord: DiscordHarness;
  fluxra: FakeFluxra;
  client: FluxraClient;
  /** What the Fluxra budget was asked to schedule (priority and label), in order. */
  scheduled: ScheduleOptions[];
  bridge: FakeAgentCredentials;
  agent: FakeAgentCredentials;
  adapters: AdapterDirectory;
  /** JSON log lines of the pollers built with `poller()`. */
  logs: Array<Record<string, unknown>>;
  /** A fresh conversation (bridge + agent) and a fresh Slack channel and Discord channel, not linked yet. */
  newPair(): Pair;
  /** Links both channels of the pair to its conversation. */
  link(pair: Pair, linkedAt?: number): Promise<void>;
  /** `newPair` + `link`. */
  linkPair(): Promise<Pair>;
  /** A poller over this world (a new instance each call: a restart). Stopped at close. */
  poller(config?: Partial<MirrorConfig>): FluxraPoller;
  /** Stops every poller built so far (after each test, passed or failed). */
  stopPollers(): Promise<void>;
  close(): Promise<void>;
}

/** Records the priority of every request, then lets the real budget schedule it. */
function recordingBudget(inner: RateBudget, scheduled: ScheduleOptions[]): RateBudget {
  return {
    schedule(options, send) {
      scheduled.push(options);
      return inner.schedule(options, send);
    },
    pause: (ms) => inner.pause(ms),
    estimateWaitMs: (priority) => inner.estimateWaitMs(priority),
    snapshot: () => inner.snapshot(),
    close: () => inner.close(),
  };
}

export async function startWorld(): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'mirror-from-fluxra-'));
  const store = await createStore({ path: join(dir, 'store.db') }, { logger: silentLogger() });
  const slack = await startSlackPair('http');
  const discord = await startHarness({ fake: { channels: [{ id: CHANNEL_ID, name: 'general' }, ...DISCORD_CHANNELS.map((id, i) => ({ id, name: `mirror-${i}` }))] } });
  const fluxra = await createFakeFluxra();
  const bridge = fluxra.createAgent({ agentName: 'fluxra-bridge' });
  const agent = fluxra.createAgent({ agentName: 'weather-bot' });
  const dispatcher = new Agent({ connections: 8 });
  const scheduled: ScheduleOptions[] = [];
  const budget = recordingBudget(await createFluxraBudget({ apiKey: bridge.apiKey, rateLimit: { maxConcurrent: 8, requestsPerSecond: 500, backoffMs: 10 } }), scheduled);
  const client = createFluxraClient({
    baseUrl: fluxra.url,
    agentId: bridge.agentId,
    apiKey: bridge.apiKey,
    dispatcher,
    budget,
    requestTimeoutMs: 2_000,
    tokenLifetimeFallbackSeconds: 900,
    renewBeforeExpirySeconds: 60,
    maxRetries: 0,
    rateLimitBackoffMs: 10,
    retryBackoffMs: 5,
    maxRetryWaitMs: 100,
  });
  const adapters: AdapterDirectory = new Map<ChatAdapter['platform'], ChatAdapter>([
    ['slack', slack.adapter],
    ['discord', discord.adapter],
  ]);
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
  const pollers: FluxraPoller[] = [];
  let pairs = 0;

  const world: World = {
    store,
    slack,
    discord,
    fluxra,
    client,
    scheduled,
    bridge,
    agent,
    adapters,
    logs,
    newPair() {
      const index = pairs++;
      const discordId = DISCORD_CHANNELS[index];
      if (!discordId) throw new Error('out of Discord test channels');
      const conversation = fluxra.createConversation({ creatorId: bridge.agentId, name: `pair-${index}`, memberIds: [agent.agentId] });
      return {
        conversationId: conversation.conversationId,
        slack: { platform: 'slack', channelId: `C0PAIR${index}` },
        discord: { platform: 'discord', channelId: discordId },
      };
    },
    async link(pair, linkedAt) {
      for (const channel of [pair.slack, pair.discord]) {
        await store.links.link(channel, { conversationId: pair.conversationId, linkedBy: 'test', ...(linkedAt === undefined ? {} : { linkedAt }) });
      }
    },
    async linkPair() {
      const pair = world.newPair();
      await world.link(pair);
      return pair;
    },
    poller(config = {}) {
      const poller = createFluxraPoller({ fluxra: client, store, adapters, config: { ...TEST_MIRROR_CONFIG, ...config }, selfAgentId: bridge.agentId, logger, linkRefreshMs: 20 });
      pollers.push(poller);
      return poller;
    },
    async stopPollers() {
      for (const poller of pollers.splice(0)) await poller.stop();
      slack.fake.rateLimit('chat.postMessage', 0, 0);
      fluxra.clearFaults();
    },
    async close() {
      for (const poller of pollers.splice(0)) await poller.stop();
      await slack.stop();
      await discord.close();
      await budget.close();
      await dispatcher.destroy();
      await fluxra.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

export { eventually } from '../support/eventually.js';
