/**
 * The whole bridge as an operator runs it: `src/main.ts` in a child process, configured
 * through a config file and environment secrets, against the fake Fluxra, Slack (Socket
 * Mode) and Discord on loopback. Commands from both platforms reach Fluxra and are
 * answered; the health endpoints answer; SIGTERM stops it with exit code 0; nothing
 * secret reaches its logs; a bad configuration exits 2 with every problem listed.
 */

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createFakeDiscord, type FakeDiscord } from '../../src/simulators/discord.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra } from '../../src/simulators/fluxra.js';
import { createFakeSlack, type FakeSlack } from '../../src/simulators/slack.js';
import { type BridgeChild, startBridgeChild } from './support/bridge-child.js';

const SLACK = { botToken: 'xoxb-9999_8888_processbottoken', appToken: 'xapp-1-A999-7777-processapptoken', signingSecret: 'process-signing-secret-01' };
const DISCORD_TOKEN = 'MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs';
const GUILD_ID = '400000000000000001';
const DISCORD_CHANNEL = '400000000000000002';
const ADMIN_SLACK = 'U0PROCADMIN';
const ADMIN_DISCORD = { id: '400000000000000003', username: 'mod' };
const MANAGE_CHANNELS = String(1 << 4);

let fluxra: FakeFluxra;
let bridgeAgent: FakeAgentCredentials;
let slack: FakeSlack;
let discord: FakeDiscord;

before(async () => {
  fluxra = await createFakeFluxra();
  bridgeAgent = fluxra.createAgent({ agentName: 'fluxra-bridge' });
  slack = await createFakeSlack({ ...SLACK, users: [{ id: ADMIN_SLACK, name: 'ada', isAdmin: true }], channels: [{ id: 'C0PROC', name: 'general' }] });
  discord = await createFakeDiscord({ token: DISCORD_TOKEN, guildId: GUILD_ID, channels: [{ id: DISCORD_CHANNEL, name: 'general' }] });
});

after(async () => {
  await slack.close();
  await discord.close();
  await fluxra.close();
});

function startBridge(config: unknown, env: Record<string, string>): BridgeChild {
  return startBridgeChild({ config, env });
}

test('runs from config and environment, answers commands on both platforms, stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-store-'));
  const bridge = startBridge(
    {
      fluxra: { baseUrl: fluxra.url },
      slack: { mode: 'socket', apiUrl: slack.apiUrl },
      discord: { apiUrl: discord.apiUrl, guildId: GUILD_ID },
      permissions: { discordAllowedUserIds: [ADMIN_DISCORD.id] },
      store: { path: join(dir, 'bridge.db') },
      health: { port: 0, host: '127.0.0.1' },
      log: { level: 'debug' },
    },
    {
      FLUXRA_AGENT_ID: bridgeAgent.agentId,
      FLUXRA_API_KEY: bridgeAgent.apiKey,
      SLACK_BOT_TOKEN: SLACK.botToken,
      SLACK_APP_TOKEN: SLACK.appToken,
      DISCORD_TOKEN,
    },
  );
  try {
    const started = await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'it started');
    assert.deepEqual(started['platforms'], ['slack', 'discord']);
    const base = `http://127.0.0.1:${String(started['healthPort'])}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200, await ready.clone().text());
    assert.deepEqual(((await ready.json()) as { checks: Record<string, string> }).checks, { store: 'ok', slack: 'ok', discord: 'ok', started: 'ok', fluxra: 'ok' });

    // Discord: the commands were registered to the guild at start.
    const registered = (discord.state.commands.get(GUILD_ID) ?? []) as Array<{ name: string }>;
    assert.deepEqual(
      registered.map((command) => command.name),
      ['block', 'bridge'],
    );

    // Slack, Socket Mode: /block list answered ephemerally.
    await slack.waitForSocket();
    await slack.deliverCommand({ command: 'block', text: 'list', channelId: 'C0PROC', userId: ADMIN_SLACK }, { via: 'socket' });
    const answer = await slack.state.waitFor(() => slack.state.responses[0], 'the /block list answer');
    assert.equal(answer.body['response_type'], 'ephemeral');
    assert.match(String(answer.body['text']), /^Nothing is blocked/);

    // Discord: /block agent reaches Fluxra.
    const target = fluxra.createAgent();
    const interaction = discord.sendInteraction({
      commandName: 'block',
      subcommand: 'agent',
      options: [{ name: 'agent_id', value: target.agentId }],
      channelId: DISCORD_CHANNEL,
      user: ADMIN_DISCORD,
      permissions: MANAGE_CHANNELS,
    });
    for (let i = 0; i < 1000 && !interaction.callbacks.some((c) => c.type === 4) && !interaction.original?.content; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const blocked = [...fluxra.state.blocks.values()].find((b) => b.targetId === target.agentId);
    assert.ok(blocked, 'the block reached Fluxra');
    const reply = interaction.callbacks.find((c) => c.type === 4)?.data?.['content'] ?? interaction.original?.content;
    assert.match(String(reply), new RegExp(`^Blocked agent \`${target.agentId}\``));
  } finally {
    bridge.child.kill('SIGTERM');
  }
  assert.equal(await bridge.exit, 0, bridge.stderr());
  assert.ok(bridge.lines.some((line) => line['msg'] === 'bridge stopped'));
  const everything = bridge.stdout() + bridge.stderr();
  for (const secret of [SLACK.botToken, SLACK.appToken, DISCORD_TOKEN, bridgeAgent.apiKey]) {
    assert.ok(!everything.includes(secret), 'no secret in the logs');
  }
});

test('a bad configuration exits with code 2, lists every problem and prints no secret', async () => {
  const bridge = startBridge({ fluxra: { baseUrl: 'not a url' }, slack: { mode: 'carrier-pigeon' } }, { SLACK_BOT_TOKEN: SLACK.botToken, BLOCKS_API_KEY: 'tiny' });
  assert.equal(await bridge.exit, 2);
  const err = bridge.stderr();
  assert.match(err, /fluxra\.baseUrl: found "not a url"/);
  assert.match(err, /slack\.mode: found "carrier-pigeon"/);
  assert.match(err, /blocks\.apiKey \(env BLOCKS_API_KEY\)/);
  assert.ok(!err.includes('tiny') && !err.includes(SLACK.botToken));
});
