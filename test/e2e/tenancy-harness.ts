/**
 * Two Discord servers and one bridge (issue 14): the fake Discord serving guild A and guild B
 * (the bot is in both), the fake Fluxra, and the whole bridge (`createBridge`, as `start`
 * builds it) in this process on a SQLite store in a temp dir. Interactions go in as members
 * of either guild; what Fluxra received, what each channel shows and what people were
 * answered come out.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Bridge, createBridge } from '../../src/app/bridge.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import { createFakeDiscord, type FakeDiscord, type FakeInteraction } from '../../src/simulators/discord.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra } from '../../src/simulators/fluxra.js';
import type { FakeSlackUser } from '../../src/simulators/slack/state.js';
import { createFakeSlack, type FakeSlack } from '../../src/simulators/slack.js';

export const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.tenant.token-for-tenancy-tests-0';
export const APP_ID = '400000000000000001';
export const GUILD_A = '110000000000000001';
export const GUILD_B = '120000000000000001';
export const CHANNEL_A = '210000000000000001';
export const CHANNEL_B = '220000000000000001';
/** Members with Manage Channels in their own server. */
export const MOD_A = { id: '310000000000000001', username: 'alice' };
export const MOD_B = { id: '320000000000000001', username: 'mallory' };
/** A bridge admin (on `permissions.discordAllowedUserIds`) when the world is built with `admins`. */
export const ADMIN = { id: '330000000000000001', username: 'root' };
export const MANAGE_CHANNELS = String(1 << 4);
export const SLACK_SECRETS = { botToken: 'xoxb-7777_8888_tenancytoken', signingSecret: 'tenancy-signing-secret-0001' } as const;
export const SLACK_CHANNEL = 'C0TENANT';

export interface TenancyWorld {
  fluxra: FakeFluxra;
  bridgeAgent: FakeAgentCredentials;
  discord: FakeDiscord;
  /** With `slack`: the fake Slack, delivering signed HTTP requests to the bridge. */
  slack: FakeSlack | undefined;
  bridge: Bridge;
  logs: Array<Record<string, unknown>>;
  /** Runs a command as `user` in `channelId` and returns the answer's text. */
  command(input: {
    channelId: string;
    user: { id: string; username: string };
    commandName: string;
    subcommand: string;
    options?: Array<{ name: string; value: string }>;
    id?: string;
  }): Promise<string>;
  close(): Promise<void>;
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

export interface TenancyWorldOptions {
  allowedGuildIds?: string[];
  admins?: string[];
  /** Also Slack, in HTTP mode (signed requests), with these people and this allow-list. */
  slack?: { users: FakeSlackUser[]; allowedTeamIds?: string[] };
}

export async function startTenancyWorld(options: TenancyWorldOptions = {}): Promise<TenancyWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'fluxra-bridge-tenancy-'));
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
  const discord = await createFakeDiscord({
    token: DISCORD_TOKEN,
    applicationId: APP_ID,
    guildId: GUILD_A,
    channels: [{ id: CHANNEL_A, name: 'a-general' }],
    otherGuilds: [{ id: GUILD_B, name: 'Guild B', channels: [{ id: CHANNEL_B, name: 'b-general' }] }],
  });
  const slack = options.slack ? await createFakeSlack({ ...SLACK_SECRETS, users: options.slack.users, channels: [{ id: SLACK_CHANNEL, name: 'tenant' }] }) : undefined;
  const slackConfig = options.slack
    ? { slack: { mode: 'http', port: 0, apiUrl: slack?.apiUrl, ...(options.slack.allowedTeamIds ? { allowedTeamIds: options.slack.allowedTeamIds } : {}) } }
    : {};
  const config = {
    ...slackConfig,
    fluxra: { baseUrl: fluxra.url },
    discord: { apiUrl: discord.apiUrl, applicationId: APP_ID, ...(options.allowedGuildIds ? { allowedGuildIds: options.allowedGuildIds } : {}) },
    permissions: { discordAllowedUserIds: options.admins ?? [] },
    store: { path: join(dir, 'bridge.db') },
    health: { port: 0, host: '127.0.0.1' },
    mirror: { pollIntervalMs: 100, idlePollIntervalMs: 200 },
    log: { level: 'info' },
  };
  const path = join(dir, 'bridge.json');
  await writeFile(path, JSON.stringify(config));
  const slackEnv = slack ? { SLACK_BOT_TOKEN: SLACK_SECRETS.botToken, SLACK_SIGNING_SECRET: SLACK_SECRETS.signingSecret } : {};
  const loaded = loadConfig({ path, env: { FLUXRA_AGENT_ID: bridgeAgent.agentId, FLUXRA_API_KEY: bridgeAgent.apiKey, DISCORD_TOKEN, ...slackEnv } });
  const bridge = await createBridge(loaded, { logger });
  await bridge.start();
  const slackPort = (bridge.adapters.find((adapter) => adapter.platform === 'slack') as { port?: number } | undefined)?.port;
  if (slack && slackPort !== undefined) slack.setAppUrl(`http://127.0.0.1:${slackPort}/slack/events`);
  return {
    fluxra,
    bridgeAgent,
    discord,
    slack,
    bridge,
    logs,
    async command(input) {
      const record = discord.sendInteraction({
        commandName: input.commandName,
        subcommand: input.subcommand,
        options: input.options ?? [],
        channelId: input.channelId,
        user: input.user,
        permissions: MANAGE_CHANNELS,
        ...(input.id ? { id: input.id } : {}),
      });
      return answerOf(record);
    },
    async close() {
      await bridge.stop();
      await discord.close();
      await slack?.close();
      await fluxra.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
