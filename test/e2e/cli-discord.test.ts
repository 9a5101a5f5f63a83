/**
 * `fluxra-bridge discord register-commands` as a child process against the fake Discord:
 * the router's commands are registered (guild or global), the invite URL carries the
 * permissions bitfield and scopes, the Message Content intent is reported; a refused
 * token or a missing one are named, with exit codes 1 and 2.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createFakeDiscord, type FakeDiscord } from '../../src/simulators/discord.js';
import { runCli, tempDir } from './cli-harness.js';

const DISCORD_TOKEN = 'MTk4NjIyNDgzNDcxOTI1MjUw.Dm4HOR.registerTokenValue0123456789';
const APP_ID = '600000000000000001';
const GUILD_ID = '600000000000000002';
const FLUXRA_ENV = { FLUXRA_AGENT_ID: 'agt_0123456789abcdef0123456789abcdef', FLUXRA_API_KEY: 'sk_register_test_key_0001' };
/** View Channels, Send Messages, Send Messages in Threads, Create Public Threads, Read Message History, Add Reactions, Manage Webhooks, Use Application Commands. */
const PERMISSIONS = String((1n << 10n) | (1n << 11n) | (1n << 38n) | (1n << 35n) | (1n << 16n) | (1n << 6n) | (1n << 29n) | (1n << 31n));

let discord: FakeDiscord;

before(async () => {
  discord = await createFakeDiscord({ token: DISCORD_TOKEN, applicationId: APP_ID, guildId: GUILD_ID });
});

after(async () => {
  await discord.close();
});

const config = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  discord: { apiUrl: discord.apiUrl, ...extra },
  store: { path: join(tempDir(), 'bridge.db') },
  commands: { bridge: 'link' },
});

function inviteUrl(stdout: string): URL {
  const text = /^ {2}(https:\/\/discord\.com\/oauth2\/authorize\S+)$/m.exec(stdout)?.[1];
  assert.ok(text, `an invite URL in:\n${stdout}`);
  return new URL(text);
}

test('registers the commands in a guild and prints the invite URL with permissions, scopes and the intent warning', async () => {
  const result = await runCli(['discord', 'register-commands', '--guild', GUILD_ID], { config: config(), env: { ...FLUXRA_ENV, DISCORD_TOKEN } });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const registered = (discord.state.commands.get(GUILD_ID) ?? []) as Array<{ name: string; options?: Array<{ name: string }> }>;
  assert.deepEqual(
    registered.map((command) => command.name),
    ['block', 'link'],
  );
  assert.deepEqual(
    registered[1]?.options?.map((option) => option.name),
    ['link', 'unlink', 'share', 'status', 'help'],
  );
  assert.match(result.stdout, new RegExp(`^✓ registered 2 commands in guild ${GUILD_ID} \\(visible at once\\): /block, /link$`, 'm'));

  const url = inviteUrl(result.stdout);
  assert.equal(url.searchParams.get('client_id'), APP_ID);
  assert.equal(url.searchParams.get('permissions'), PERMISSIONS);
  assert.equal(url.searchParams.get('scope'), 'bot applications.commands');
  assert.equal(url.searchParams.get('guild_id'), GUILD_ID);
  for (const name of [
    'View Channels',
    'Send Messages',
    'Send Messages in Threads',
    'Create Public Threads',
    'Read Message History',
    'Add Reactions',
    'Manage Webhooks',
    'Use Application Commands',
  ]) {
    assert.match(result.stdout, new RegExp(`^ {2}- ${name}: `, 'm'), name);
  }
  // The fake application has no privileged intents enabled.
  assert.match(result.stderr, /Message Content intent: NOT enabled\. Turn it on \(Developer Portal/);
  assert.ok(!result.stdout.includes(DISCORD_TOKEN) && !result.stderr.includes(DISCORD_TOKEN));
});

test('without a guild the commands are registered globally', async () => {
  const result = await runCli(['discord', 'register-commands'], { config: config(), env: { ...FLUXRA_ENV, DISCORD_TOKEN } });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.deepEqual(
    ((discord.state.commands.get('global') ?? []) as Array<{ name: string }>).map((command) => command.name),
    ['block', 'link'],
  );
  assert.match(result.stdout, /^✓ registered 2 commands globally \(Discord may take up to an hour/m);
  assert.equal(inviteUrl(result.stdout).searchParams.get('guild_id'), null);
});

test('a refused token exits 1 and registers nothing', async () => {
  const guild = '600000000000000099';
  const wrong = 'MTAwMDAwMDAwMDAwMDAwMDAw.Zz9YxW.notTheRegisterToken012345';
  const result = await runCli(['discord', 'register-commands', '--guild', guild], { config: config(), env: { ...FLUXRA_ENV, DISCORD_TOKEN: wrong } });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /✗ Discord refused GET \/applications\/@me: HTTP 401.*DISCORD_TOKEN is wrong or was reset/);
  assert.equal(discord.state.commands.has(guild), false);
  assert.ok(!result.stderr.includes(wrong));
});

test('without DISCORD_TOKEN, or with no command to offer, it exits 2 and calls nothing', async () => {
  const calls = discord.state.calls.length;
  const noToken = await runCli(['discord', 'register-commands'], { config: config(), env: FLUXRA_ENV });
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /DISCORD_TOKEN is not set/);
  const nothing = await runCli(['discord', 'register-commands', '--guild', GUILD_ID], { config: config(), env: { DISCORD_TOKEN } });
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /nothing to register: this configuration offers no command/);
  assert.equal(discord.state.calls.length, calls);
});
