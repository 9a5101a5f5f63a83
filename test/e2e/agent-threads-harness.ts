/**
 * Agent threads across the mirror (issue 18, item 3): the whole bridge (`createBridge`, as
 * `start` builds it) on a SQLite store in a temp dir, against the fake Fluxra, the fake
 * Blocks, the fake Slack (HTTP mode, signed requests, real Bolt) and the fake Discord (real
 * discord.js) serving two guilds. Time is compressed through configuration only (a 1 s
 * Blocks window, short poll intervals).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Bridge, createBridge } from '../../src/app/bridge.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import { createFakeBlocks, FAKE_BLOCKS_API_KEY, type FakeBlocks } from '../../src/simulators/blocks.js';
import { createFakeDiscord, type FakeDiscord, type FakeInteraction } from '../../src/simulators/discord.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra } from '../../src/simulators/fluxra.js';
import { createFakeSlack, type FakeSlack } from '../../src/simulators/slack.js';
import { eventually } from '../support/eventually.js';

export const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.thread.token-for-agent-threads-0';
export const APP_ID = '400000000000000018';
export const GUILD_A = '110000000000000018';
export const GUILD_B = '120000000000000018';
/** Guild A's channels: the one mirrored with Slack's, and one for the bound-channel flow. */
export const DISCORD_A = '210000000000000018';
export const DISCORD_A2 = '210000000000000019';
export const DISCORD_B = '220000000000000018';
export const SLACK_CHANNEL = 'C0THREADS';
export const SLACK_BOUND = 'C0BOUND';
export const MANAGE_CHANNELS = String(1 << 4);
/** Members of guild A (a moderator, two people) and of guild B (a moderator, a stranger). */
export const MOD_A = { id: '310000000000000018', username: 'alice' };
export const CAROL = { id: '310000000000000019', username: 'carol' };
export const DAVE = { id: '310000000000000020', username: 'dave' };
export const MOD_B = { id: '320000000000000018', username: 'mallory' };
export const EVE = { id: '320000000000000019', username: 'eve' };
const SLACK_SECRETS = { botToken: 'xoxb-1818_1818_agentthreads', signingSecret: 'agent-threads-signing-secret-01' } as const;

export interface ThreadsWorld {
  fluxra: FakeFluxra;
  bridgeAgent: FakeAgentCredentials;
  blocks: FakeBlocks;
  discord: FakeDiscord;
  slack: FakeSlack;
  /** The running bridge (a new one after `restart`). */
  readonly bridge: Bridge;
  logs: Array<Record<string, unknown>>;
  /** Stops the bridge and starts a new one on the same store and configuration (a restart). */
  restart(): Promise<void>;
  /** Runs a Discord command as `user` in `channelId` (with Manage Channels) and returns the answer's text. */
  discordCommand(input: {
    channelId: string;
    user: { id: string; username: string };
    commandName: string;
    subcommand: string;
    options?: Array<{ name: string; value: string }>;
  }): Promise<string>;
  /** The contents Fluxra holds for a conversation, in order. */
  fluxraContents(conversationId: string): string[];
  close(): Promise<void>;
}

export interface ThreadsWorldOptions {
  /** Slack and Discord allow-lists (one organisation); absent: each place is its own tenant. */
  allowLists?: boolean;
  /** `agentQuota` settings. */
  agentQuota?: Record<string, number>;
}

async function answerOf(record: FakeInteraction): Promise<string> {
  for (let i = 0; i < 1_000; i += 1) {
    const callback = record.callbacks.find((c) => c.type === 4);
    if (callback) return String(callback.data?.['content'] ?? '');
    if (record.original?.content) return record.original.content;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the interaction was never answered');
}

export async function startThreadsWorld(options: ThreadsWorldOptions = {}): Promise<ThreadsWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'fluxra-bridge-agent-threads-'));
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    }),
  });
  const fluxra = await createFakeFluxra();
  const bridgeAgent = fluxra.createAgent({ agentName: 'fluxra-bridge' });
  const blocks = await createFakeBlocks({ windowMs: 1_000, limit: 100, script: { delayMs: 150, final: (turn) => `Answer to: ${turn.prompt}` } });
  const discord = await createFakeDiscord({
    token: DISCORD_TOKEN,
    applicationId: APP_ID,
    guildId: GUILD_A,
    channels: [
      { id: DISCORD_A, name: 'a-general' },
      { id: DISCORD_A2, name: 'a-bound' },
    ],
    otherGuilds: [{ id: GUILD_B, name: 'Guild B', channels: [{ id: DISCORD_B, name: 'b-general' }] }],
  });
  const slack = await createFakeSlack({
    ...SLACK_SECRETS,
    users: [
      { id: 'UADA', name: 'ada', displayName: 'Ada', isAdmin: true },
      { id: 'UBOB', name: 'bob', displayName: 'Bob' },
    ],
    channels: [
      { id: SLACK_CHANNEL, name: 'threads' },
      { id: SLACK_BOUND, name: 'bound' },
    ],
  });
  const config = {
    fluxra: { baseUrl: fluxra.url },
    blocks: { baseUrl: blocks.url, rateLimit: { limit: 100, windowMs: 1_000, safetyMarginMs: 0, interactiveReserve: 10, backoffMs: 50, maxBackoffMs: 200 } },
    slack: { mode: 'http', port: 0, apiUrl: slack.apiUrl, ...(options.allowLists ? { allowedTeamIds: [slack.teamId] } : {}) },
    discord: { apiUrl: discord.apiUrl, applicationId: APP_ID, ...(options.allowLists ? { allowedGuildIds: [GUILD_A] } : {}) },
    store: { path: join(dir, 'bridge.db') },
    health: { port: 0, host: '127.0.0.1' },
    mirror: { pollIntervalMs: 100, idlePollIntervalMs: 200 },
    sessions: { pollIntervalMs: 40, maxPollIntervalMs: 150 },
    ...(options.agentQuota ? { agentQuota: options.agentQuota } : {}),
    log: { level: 'info' },
  };
  const path = join(dir, 'bridge.json');
  await writeFile(path, JSON.stringify(config));
  const loaded = loadConfig({
    path,
    env: {
      FLUXRA_AGENT_ID: bridgeAgent.agentId,
      FLUXRA_API_KEY: bridgeAgent.apiKey,
      BLOCKS_API_KEY: FAKE_BLOCKS_API_KEY,
      DISCORD_TOKEN,
      SLACK_BOT_TOKEN: SLACK_SECRETS.botToken,
      SLACK_SIGNING_SECRET: SLACK_SECRETS.signingSecret,
    },
  });
  const startBridge = async (): Promise<Bridge> => {
    const started = await createBridge(loaded, { logger });
    await started.start();
    const slackPort = (started.adapters.find((adapter) => adapter.platform === 'slack') as { port?: number } | undefined)?.port;
    if (slackPort === undefined) throw new Error('the Slack adapter has no port');
    slack.setAppUrl(`http://127.0.0.1:${slackPort}/slack/events`);
    return started;
  };
  let bridge = await startBridge();
  return {
    fluxra,
    bridgeAgent,
    blocks,
    discord,
    slack,
    get bridge() {
      return bridge;
    },
    logs,
    async restart() {
      await bridge.stop();
      bridge = await startBridge();
    },
    discordCommand(input) {
      return answerOf(
        discord.sendInteraction({
          commandName: input.commandName,
          subcommand: input.subcommand,
          options: input.options ?? [],
          channelId: input.channelId,
          user: input.user,
          permissions: MANAGE_CHANNELS,
        }),
      );
    },
    fluxraContents(conversationId) {
      return [...fluxra.state.messages.values()].filter((m) => m.conversationId === conversationId && !m.deleted).map((m) => m.content);
    },
    async close() {
      await bridge.stop();
      await discord.close();
      await slack.close();
      await blocks.close();
      await fluxra.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Links the Slack channel (by Ada) and Discord channel A (by a moderator) to `conversationId`,
 * and waits until the Slack link is stored.
 */
export async function linkBothChannels(world: ThreadsWorld, conversationId: string): Promise<void> {
  await world.slack.deliverCommand({ command: '/bridge', text: `link ${conversationId}`, channelId: SLACK_CHANNEL, userId: 'UADA' });
  assert.match(
    await world.discordCommand({ channelId: DISCORD_A, user: MOD_A, commandName: 'bridge', subcommand: 'link', options: [{ name: 'conversation', value: conversationId }] }),
    /^Linked\./,
  );
  await eventually(() => world.bridge.store.links.get({ platform: 'slack', channelId: SLACK_CHANNEL }), 'the Slack channel linked');
}

export { eventually };
