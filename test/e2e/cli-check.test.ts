/**
 * `fluxra-bridge check` as a child process against the fakes (Fluxra, Blocks, Slack,
 * Discord) and the real local Redis: one line per part, exit 0 when every configured part
 * works, 1 naming the part that does not, and no secret in the output.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createFakeBlocks, type FakeBlocks } from '../../src/simulators/blocks.js';
import { createFakeDiscord, type FakeDiscord } from '../../src/simulators/discord.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra } from '../../src/simulators/fluxra.js';
import { createFakeSlack, type FakeSlack } from '../../src/simulators/slack.js';
import { type CliResult, runCli, tempDir } from './cli-harness.js';

const SLACK = { botToken: 'xoxb-4444_5555_checkbottoken', appToken: 'xapp-1-A444-6666-checkapptoken' };
const DISCORD_TOKEN = 'MTk4NjIyNDgzNDcxOTI1MjQ5.Ck3GNQ.checkTokenValue0123456789ab';
const BLOCKS_KEY = `blk_check_${randomBytes(8).toString('hex')}`;
const REDIS_URL = 'redis://127.0.0.1:6379';

let fluxra: FakeFluxra;
let agent: FakeAgentCredentials;
let blocks: FakeBlocks;
let slack: FakeSlack;
let discord: FakeDiscord;

before(async () => {
  fluxra = await createFakeFluxra();
  agent = fluxra.createAgent({ agentName: 'check-bridge' });
  blocks = await createFakeBlocks({ apiKeys: [BLOCKS_KEY] });
  slack = await createFakeSlack({ ...SLACK });
  discord = await createFakeDiscord({ token: DISCORD_TOKEN, botUser: { id: '500000000000000001', username: 'bridge-bot' } });
});

after(async () => {
  await Promise.all([fluxra.close(), blocks.close(), slack.close(), discord.close()]);
});

function config(): Record<string, unknown> {
  return {
    fluxra: { baseUrl: fluxra.url },
    blocks: { baseUrl: blocks.url },
    slack: { mode: 'socket', apiUrl: slack.apiUrl },
    discord: { apiUrl: discord.apiUrl },
    store: { path: join(tempDir(), 'bridge.db') },
  };
}

function goodEnv(): Record<string, string> {
  return {
    FLUXRA_AGENT_ID: agent.agentId,
    FLUXRA_API_KEY: agent.apiKey,
    BLOCKS_API_KEY: BLOCKS_KEY,
    SLACK_BOT_TOKEN: SLACK.botToken,
    SLACK_APP_TOKEN: SLACK.appToken,
    DISCORD_TOKEN,
  };
}

/** The report's line for `part`, e.g. `✓ blocks key  accepted by …`. */
function lineOf(result: CliResult, part: string): string {
  const line = result.stdout.split('\n').find((candidate) => candidate.slice(2).startsWith(`${part} `));
  assert.ok(line, `no line for ${part} in:\n${result.stdout}`);
  return line;
}

/** The secrets of `goodEnv` (the agent id is an identifier, printed on purpose). */
function goodSecrets(): string[] {
  const { FLUXRA_AGENT_ID: _id, ...secrets } = goodEnv();
  return Object.values(secrets);
}

function assertNoSecret(result: CliResult, secrets: readonly string[]): void {
  for (const secret of secrets) assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'no secret in the output');
}

test('every configured part works: one ✓ line each, exit 0, one Blocks request', async () => {
  const blocksBefore = blocks.state.requests.length;
  const result = await runCli(['check'], { config: config(), env: { ...goodEnv(), REDIS_URL } });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(lineOf(result, 'config'), /^✓ config +valid: \/.*bridge\.json and the environment$/);
  assert.match(lineOf(result, 'store'), /^✓ store +Redis store at 127\.0\.0\.1:6379 opens and answers$/);
  assert.match(lineOf(result, 'redis'), /^✓ redis +127\.0\.0\.1:6379 answers PING/);
  assert.match(lineOf(result, 'fluxra health'), /^✓ fluxra health +http:\/\/127\.0\.0\.1:\d+ is healthy \(version /);
  assert.match(lineOf(result, 'fluxra token'), new RegExp(`^✓ fluxra token +agent ${agent.agentId} exchanged its API key`));
  assert.match(lineOf(result, 'blocks key'), /^✓ blocks key +accepted by http:\/\/127\.0\.0\.1:\d+ \(a probe for a session that does not exist got 404/);
  assert.match(lineOf(result, 'slack auth.test'), /^✓ slack auth\.test +bot @bridge \(U\w+\) in workspace "Fake Team"$/);
  assert.match(lineOf(result, 'slack socket mode'), /^✓ slack socket mode +the app-level token opens/);
  assert.match(lineOf(result, 'discord /users/@me'), /^✓ discord \/users\/@me +signed in as bridge-bot \(500000000000000001\)$/);
  assert.match(result.stdout, /\n9 working, 0 failing, 0 not configured\n$/);
  // No allow-lists: every server and workspace is a tenant of its own, and check says so.
  assert.match(result.stdout, /^! tenancy +discord\.allowedGuildIds is not set/m);
  assert.match(result.stdout, /^! tenancy +slack\.allowedTeamIds is not set/m);

  // The Blocks key check is exactly one request, and it was the probe GET.
  const probes = blocks.state.requests.slice(blocksBefore);
  assert.equal(probes.length, 1);
  assert.equal(probes[0]?.method, 'GET');
  assert.match(probes[0]?.path ?? '', /\/sessions\/00000000-0000-4000-8000-000000000000$/);
  assert.equal(fluxra.requestsTo('health').length > 0, true);
  assertNoSecret(result, goodSecrets());
});

test('a wrong Blocks key fails the check, naming the Blocks key and nothing else', async () => {
  const wrongKey = `blk_wrong_${randomBytes(8).toString('hex')}`;
  const result = await runCli(['check'], { config: config(), env: { ...goodEnv(), BLOCKS_API_KEY: wrongKey } });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const line = lineOf(result, 'blocks key');
  assert.match(line, /^✗ blocks key +refused by http:\/\/127\.0\.0\.1:\d+: .*403/);
  assert.match(result.stdout, /hint: BLOCKS_API_KEY is wrong, revoked, or belongs to another environment/);
  for (const part of ['config', 'store', 'fluxra health', 'fluxra token', 'slack auth.test', 'slack socket mode', 'discord /users/@me']) {
    assert.match(lineOf(result, part), /^✓ /, part);
  }
  assert.match(lineOf(result, 'redis'), /^- redis +not configured/);
  assert.match(result.stdout, /\n7 working, 1 failing, 1 not configured: the bridge will not work fully/);
  assertNoSecret(result, [wrongKey, ...goodSecrets()]);
});

test('wrong Fluxra, Slack and Discord credentials each fail their own line with a hint', async () => {
  const wrong = {
    FLUXRA_API_KEY: 'sk_not_the_right_key_0001',
    SLACK_BOT_TOKEN: 'xoxb-0000_0000_notthebottoken',
    SLACK_APP_TOKEN: 'xapp-1-A000-0000-nottheapptoken',
    DISCORD_TOKEN: 'MTAwMDAwMDAwMDAwMDAwMDAw.Ab1CdE.notTheDiscordToken0123456',
  };
  const result = await runCli(['check'], { config: config(), env: { ...goodEnv(), ...wrong } });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(lineOf(result, 'fluxra health'), /^✓ /);
  assert.match(lineOf(result, 'fluxra token'), /^✗ fluxra token +.*401/);
  assert.match(result.stdout, /hint: FLUXRA_API_KEY is wrong, expired or revoked/);
  assert.match(lineOf(result, 'slack auth.test'), /^✗ slack auth\.test +Slack refused the bot token: invalid_auth$/);
  assert.match(result.stdout, /hint: SLACK_BOT_TOKEN is wrong: copy OAuth & Permissions/);
  assert.match(lineOf(result, 'slack socket mode'), /^✗ slack socket mode +Slack refused the app-level token: invalid_auth$/);
  assert.match(lineOf(result, 'discord /users/@me'), /^✗ discord \/users\/@me +Discord refused the bot token: HTTP 401/);
  assert.match(result.stdout, /hint: DISCORD_TOKEN is wrong or was reset/);
  assert.match(lineOf(result, 'blocks key'), /^✓ /);
  assert.match(result.stdout, /\n4 working, 4 failing, 1 not configured/);
  assertNoSecret(result, [...Object.values(wrong), ...goodSecrets()]);
});

test('unconfigured parts are listed as not configured, and an unreachable service is named', async () => {
  const closed = await createFakeFluxra();
  const closedUrl = closed.url;
  await closed.close();
  const result = await runCli(['check'], { config: { ...config(), fluxra: { baseUrl: closedUrl } }, env: { FLUXRA_AGENT_ID: agent.agentId, FLUXRA_API_KEY: agent.apiKey } });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(lineOf(result, 'fluxra health'), /^✗ fluxra health +fluxra is unreachable \(ECONNREFUSED\)/);
  assert.match(result.stdout, /hint: check fluxra\.baseUrl/);
  for (const part of ['redis', 'blocks key', 'slack auth.test', 'discord /users/@me']) assert.match(lineOf(result, part), /^- .* not configured \(/, part);
  assert.match(lineOf(result, 'store'), /^✓ store +SQLite store /);
});

test('with discord.allowedGuildIds, check lists the servers the bot is in that are not on it', async () => {
  const listed = '100000000000000099';
  const result = await runCli(['check'], { config: { ...config(), discord: { apiUrl: discord.apiUrl, allowedGuildIds: [listed] } }, env: goodEnv() });
  const line = lineOf(result, 'discord servers');
  assert.match(line, /^! discord servers +the bot is in 1 server\(s\) not on discord\.allowedGuildIds/);
  assert.ok(line.includes(`(${discord.state.guildId})`), line);
  assert.ok(!/^! tenancy +discord/m.test(result.stdout), 'no warning about a missing Discord list');
});
