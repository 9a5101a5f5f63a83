/**
 * A world for mirror tests and the mirror benchmark: the Fluxra, Slack (Socket Mode) and
 * Discord fakes in this process, some link groups (a Slack channel and/or a Discord channel
 * linked to one Fluxra conversation that the bridge's agent and a few other agents belong
 * to), the links seeded in the bridge's SQLite store file, and the config and environment
 * that start the bridge as a child process against all of it.
 *
 * Links are seeded by opening the same store file before the bridge starts: the bridge
 * reads links from its store, whoever wrote them.
 *
 * No test-framework imports: the benchmark uses it too.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/core/logger.js';
import { createFakeDiscord, type FakeDiscord } from '../../../src/simulators/discord.js';
import type { FaultPlan } from '../../../src/simulators/fault-plan.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra } from '../../../src/simulators/fluxra.js';
import { createFakeSlack, type FakeSlack } from '../../../src/simulators/slack.js';
import { createStore } from '../../../src/store/index.js';

export const WORLD_SECRETS = {
  slackBotToken: 'xoxb-4242_4343_mirrorbottoken',
  slackAppToken: 'xapp-1-A424-4444-mirrorapptoken',
  discordToken: 'MTk4NjIyNDgzNDcxOTI1MjQ4.Mx2FMQ.MirrorWorldTokenZnCjm1XVW7vR',
} as const;

export const GUILD_ID = '500000000000000001';

/** People who write on the platforms (their display names are what attribution shows). */
export const SLACK_PEOPLE = [
  { id: 'U0MIRADA', name: 'ada' },
  { id: 'U0MIRBEN', name: 'ben' },
] as const;
export const DISCORD_PEOPLE = [
  { id: '500000000000000101', username: 'alice' },
  { id: '500000000000000102', username: 'bob' },
] as const;

export interface LinkGroup {
  index: number;
  slackChannel: string | undefined;
  discordChannel: string | undefined;
  conversationId: string;
  /** Agents (not the bridge) that post in the conversation. */
  agents: FakeAgentCredentials[];
}

export interface MirrorWorldOptions {
  groups: number;
  slack?: boolean;
  discord?: boolean;
  agentsPerGroup?: number;
  /** Fluxra's message page size (default 50). */
  messagesPageSize?: number;
  /** One fault plan the three fakes honour (the fault matrix). */
  faultPlan?: FaultPlan;
  /** Slack channels beside the mirrored ones (e.g. one where people ask agents). */
  extraSlackChannels?: Array<{ id: string; name: string }>;
  extraDiscordChannels?: Array<{ id: string; name: string }>;
}

export interface MirrorWorld {
  readonly fluxra: FakeFluxra;
  readonly slack: FakeSlack;
  readonly discord: FakeDiscord;
  readonly bridgeAgent: FakeAgentCredentials;
  readonly groups: readonly LinkGroup[];
  readonly dir: string;
  readonly storePath: string;
  /** The secrets the bridge reads from its environment. */
  readonly env: Record<string, string>;
  /** The bridge config for this world; `overrides` are merged one level deep per section. */
  config(overrides?: Record<string, Record<string, unknown>>): Record<string, unknown>;
  /** Writes every group's links into the store file (run before the bridge starts). */
  seedLinks(): Promise<void>;
  close(): Promise<void>;
}

const slackChannelId = (index: number): string => `C0MIRROR${String(index).padStart(3, '0')}`;
const discordChannelId = (index: number): string => String(500000000000001000n + BigInt(index));

export async function createMirrorWorld(options: MirrorWorldOptions): Promise<MirrorWorld> {
  const withSlack = options.slack ?? true;
  const withDiscord = options.discord ?? true;
  const indexes = Array.from({ length: options.groups }, (_, index) => index);

  const faultPlan = options.faultPlan ? { faultPlan: options.faultPlan } : {};
  const fluxra = await createFakeFluxra({ messagesPageSize: options.messagesPageSize ?? 50, ...faultPlan });
  const bridgeAgent = fluxra.createAgent({ agentName: 'fluxra-bridge' });
  const slack = await createFakeSlack({
    botToken: WORLD_SECRETS.slackBotToken,
    appToken: WORLD_SECRETS.slackAppToken,
    users: SLACK_PEOPLE.map((person) => ({ id: person.id, name: person.name })),
    channels: [...indexes.map((index) => ({ id: slackChannelId(index), name: `mirror-${index}` })), ...(options.extraSlackChannels ?? [])],
    ...faultPlan,
  });
  const discord = await createFakeDiscord({
    token: WORLD_SECRETS.discordToken,
    guildId: GUILD_ID,
    channels: [...indexes.map((index) => ({ id: discordChannelId(index), name: `mirror-${index}` })), ...(options.extraDiscordChannels ?? [])],
    ...faultPlan,
  });

  const groups: LinkGroup[] = indexes.map((index) => {
    const agents = Array.from({ length: options.agentsPerGroup ?? 2 }, (_, n) => fluxra.createAgent({ agentName: `agent-${index}-${n}` }));
    const conversation = fluxra.createConversation({ creatorId: bridgeAgent.agentId, name: `mirror-${index}`, memberIds: agents.map((agent) => agent.agentId) });
    return {
      index,
      slackChannel: withSlack ? slackChannelId(index) : undefined,
      discordChannel: withDiscord ? discordChannelId(index) : undefined,
      conversationId: conversation.conversationId,
      agents,
    };
  });

  const dir = mkdtempSync(join(tmpdir(), 'fluxra-mirror-'));
  const storePath = join(dir, 'bridge.db');
  const env: Record<string, string> = {
    FLUXRA_AGENT_ID: bridgeAgent.agentId,
    FLUXRA_API_KEY: bridgeAgent.apiKey,
    ...(withSlack ? { SLACK_BOT_TOKEN: WORLD_SECRETS.slackBotToken, SLACK_APP_TOKEN: WORLD_SECRETS.slackAppToken } : {}),
    ...(withDiscord ? { DISCORD_TOKEN: WORLD_SECRETS.discordToken } : {}),
  };

  return {
    fluxra,
    slack,
    discord,
    bridgeAgent,
    groups,
    dir,
    storePath,
    env,
    config(overrides = {}) {
      const base: Record<string, Record<string, unknown>> = {
        fluxra: { baseUrl: fluxra.url },
        slack: { mode: 'socket', apiUrl: slack.apiUrl },
        discord: { apiUrl: discord.apiUrl, guildId: GUILD_ID },
        store: { path: storePath },
        health: { port: 0, host: '127.0.0.1' },
        log: { level: 'info' },
      };
      for (const [section, values] of Object.entries(overrides)) base[section] = { ...base[section], ...values };
      return base;
    },
    async seedLinks() {
      const store = await createStore({ path: storePath }, { logger: silentLogger() });
      try {
        for (const group of groups) {
          const input = { conversationId: group.conversationId, linkedBy: 'test' };
          if (group.slackChannel) await store.links.link({ platform: 'slack', channelId: group.slackChannel }, input);
          if (group.discordChannel) await store.links.link({ platform: 'discord', channelId: group.discordChannel }, input);
        }
      } finally {
        await store.close();
      }
    },
    async close() {
      await slack.close();
      await discord.close();
      await fluxra.close();
    },
  };
}
