/**
 * No secret reaches the logs: the bridge as a child process at debug level, against the
 * fakes and a private password-protected Redis, is driven through traffic that uses every
 * credential (Slack bot and app tokens or signing secret, the Discord bot token, webhook
 * and interaction tokens, the Fluxra API key and the JWTs it is exchanged for, the Blocks
 * key, the Redis password), and its whole stdout and stderr are searched for each value.
 */

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../src/core/logger.js';
import { createFakeBlocks, FAKE_BLOCKS_API_KEY, type FakeBlocks } from '../../src/simulators/blocks.js';
import { createFakeDiscord, type FakeDiscord } from '../../src/simulators/discord.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra } from '../../src/simulators/fluxra.js';
import { createFakeSlack, type FakeSlack } from '../../src/simulators/slack.js';
import { createStore } from '../../src/store/index.js';
import { type PrivateRedis, readiness, startPrivateRedis, waitFor } from './ops-harness.js';
import { type BridgeChild, startBridgeChild } from './support/bridge-child.js';

const SECRETS = {
  slackBotToken: 'xoxb-7001_7002_opslogsbottoken',
  slackAppToken: 'xapp-1-A7003-7004-opslogsapptoken',
  slackSigningSecret: 'ops-logs-signing-secret-5e3f',
  discordToken: 'MTk4NjIyNDgzNDcxOTI1MjQ4.Op2FMQ.OpsLogsSecretTokenZnCjm1XVW7',
  redisPassword: 'redis-pass-0f9e8d7c6b',
} as const;
const GUILD = '700000000000000001';
const DISCORD_CHANNEL = '700000000000000002';
const SLACK_CHANNEL = 'C0OPSLOGS';
const ADMIN_DISCORD = { id: '700000000000000003', username: 'mod' };
const SLACK_USER = { id: 'U0OPSLOG', name: 'ada', isAdmin: true };

let fluxra: FakeFluxra;
let blocks: FakeBlocks;
let slack: FakeSlack;
let discord: FakeDiscord;
let redis: PrivateRedis;
let bridgeAgent: FakeAgentCredentials;
let poster: FakeAgentCredentials;
let conversationId: string;

before(async () => {
  fluxra = await createFakeFluxra();
  bridgeAgent = fluxra.createAgent({ agentName: 'fluxra-bridge' });
  poster = fluxra.createAgent({ agentName: 'poster' });
  conversationId = fluxra.createConversation({ creatorId: bridgeAgent.agentId, name: 'ops-logs', memberIds: [poster.agentId] }).conversationId;
  blocks = await createFakeBlocks();
  slack = await createFakeSlack({
    botToken: SECRETS.slackBotToken,
    appToken: SECRETS.slackAppToken,
    signingSecret: SECRETS.slackSigningSecret,
    users: [SLACK_USER],
    channels: [{ id: SLACK_CHANNEL, name: 'ops' }],
  });
  discord = await createFakeDiscord({ token: SECRETS.discordToken, guildId: GUILD, channels: [{ id: DISCORD_CHANNEL, name: 'ops' }] });
  redis = await startPrivateRedis(SECRETS.redisPassword);
});

after(async () => {
  await slack.close();
  await discord.close();
  await blocks.close();
  await fluxra.close();
  await redis.stop();
});

/** A store (SQLite file, or Redis when given) with the Slack and Discord channels linked to the conversation. */
async function linkedStore(redisUrl?: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ops-logs-'));
  const store = await createStore({ path: join(dir, 'bridge.db'), ...(redisUrl ? { redisUrl } : {}) }, { logger: silentLogger() });
  try {
    await store.links.link({ platform: 'slack', channelId: SLACK_CHANNEL }, { conversationId, linkedBy: 'test' });
    await store.links.link({ platform: 'discord', channelId: DISCORD_CHANNEL }, { conversationId, linkedBy: 'test' });
  } finally {
    await store.close();
  }
  return join(dir, 'bridge.db');
}

function startBridge(slackMode: 'socket' | 'http', storePath: string, extra: Record<string, string> = {}): BridgeChild {
  return startBridgeChild({
    config: {
      fluxra: { baseUrl: fluxra.url },
      blocks: { baseUrl: blocks.url },
      slack: { mode: slackMode, apiUrl: slack.apiUrl, port: 0 },
      discord: { apiUrl: discord.apiUrl, guildId: GUILD },
      permissions: { discordAllowedUserIds: [ADMIN_DISCORD.id], slackAllowedUserIds: [SLACK_USER.id] },
      mirror: { pollIntervalMs: 100, idlePollIntervalMs: 200 },
      store: { path: storePath },
      health: { port: 0, host: '127.0.0.1' },
      log: { level: 'debug' },
    },
    env: {
      FLUXRA_AGENT_ID: bridgeAgent.agentId,
      FLUXRA_API_KEY: bridgeAgent.apiKey,
      BLOCKS_API_KEY: FAKE_BLOCKS_API_KEY,
      SLACK_BOT_TOKEN: SECRETS.slackBotToken,
      DISCORD_TOKEN: SECRETS.discordToken,
      ...(slackMode === 'socket' ? { SLACK_APP_TOKEN: SECRETS.slackAppToken } : { SLACK_SIGNING_SECRET: SECRETS.slackSigningSecret }),
      ...extra,
    },
  });
}

/** Every credential value the run could have handled, including the ones issued during it. */
function secretValues(): string[] {
  const values = [...Object.values(SECRETS), bridgeAgent.apiKey, FAKE_BLOCKS_API_KEY, ...fluxra.state.tokens.keys()];
  for (const webhook of discord.state.webhooks.values()) values.push(webhook.token);
  for (const interaction of discord.state.interactions.values()) values.push(interaction.token);
  return values;
}

function assertNoSecret(bridge: BridgeChild): void {
  const output = bridge.stdout() + bridge.stderr();
  for (const secret of secretValues()) assert.ok(!output.includes(secret), `a secret (${secret.slice(0, 6)}…) appears in the logs`);
}

/** Mirror both ways, a Discord slash command and the Blocks key: the traffic every run goes through. */
async function driveTraffic(bridge: BridgeChild, base: string, slackSay: (text: string) => Promise<unknown>): Promise<void> {
  await slackSay('secret-free hello from slack');
  await waitFor(() => [...fluxra.state.messages.values()].find((message) => message.content.includes('secret-free hello')), 'the Slack message in Fluxra');
  // The cross-post to Discord goes through the bridge's webhook (its token is in the URL).
  await waitFor(() => discord.state.history(DISCORD_CHANNEL).find((message) => message.content.includes('secret-free hello')), 'the Discord copy');
  fluxra.postAs(poster.agentId, { conversationId, content: 'an agent speaks' });
  await waitFor(() => discord.state.history(DISCORD_CHANNEL).find((message) => message.content.includes('an agent speaks')), 'the agent message on Discord');
  const interaction = discord.sendInteraction({
    commandName: 'block',
    subcommand: 'list',
    options: [],
    channelId: DISCORD_CHANNEL,
    user: ADMIN_DISCORD,
    permissions: String(1 << 4),
  });
  await waitFor(() => (interaction.callbacks.length > 0 || interaction.original ? true : undefined), 'the /block list answer');
  const ready = await readiness(base);
  assert.equal(ready.body.checks['blocks'], 'ok', 'the Blocks key was used (readiness probe)');
  assert.ok(blocks.state.requests.length > 0);
  await bridge.waitForLog((line) => line['msg'] === 'inbound event accepted' && typeof line['reqId'] === 'string', 'a request id in the logs');
}

test('Socket Mode, Redis with a password, debug level: no credential appears in the output', async () => {
  const bridge = startBridge('socket', await linkedStore(redis.url), { REDIS_URL: redis.url });
  try {
    const started = await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started');
    await slack.waitForSocket();
    const base = `http://127.0.0.1:${String(started['healthPort'])}`;
    assert.equal((await readiness(base)).body.checks['redis'], 'ok', 'the Redis URL (with its password) is in use');
    await driveTraffic(bridge, base, (text) => slack.deliverEvent(slack.userMessage({ channel: SLACK_CHANNEL, user: SLACK_USER.id, text })));
  } finally {
    await bridge.killAndWait('SIGTERM');
  }
  assert.ok(bridge.lines.filter((line) => line['level'] === 20).length > 10, 'debug lines were written');
  assert.ok(fluxra.state.tokens.size > 0, 'a JWT was issued');
  assertNoSecret(bridge);
});

test('HTTP mode (signing secret), with a forged request: no credential appears in the output', async () => {
  const bridge = startBridge('http', await linkedStore());
  try {
    const started = await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started');
    const slackStarted = await bridge.waitForLog((line) => line['msg'] === 'slack adapter started', 'the Slack receiver');
    const events = `http://127.0.0.1:${String(slackStarted['port'])}/slack/events`;
    const base = `http://127.0.0.1:${String(started['healthPort'])}`;
    const forged = await slack.deliverEvent(slack.userMessage({ channel: SLACK_CHANNEL, user: SLACK_USER.id, text: 'forged' }), {
      via: 'http',
      httpUrl: events,
      forgeSignature: true,
    });
    assert.equal(forged.status, 401);
    await driveTraffic(bridge, base, (text) =>
      slack.deliverEvent(slack.userMessage({ channel: SLACK_CHANNEL, user: SLACK_USER.id, text: `${text} over http` }), { via: 'http', httpUrl: events }),
    );
  } finally {
    await bridge.killAndWait('SIGTERM');
  }
  assertNoSecret(bridge);
});
