/**
 * The command line's shape: help everywhere, the version, usage errors with exit code 2,
 * configuration errors with exit code 2, and `slack manifest` (pure output from the
 * configuration) in Socket Mode and HTTP mode.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from './cli-harness.js';

const FLUXRA_ENV = { FLUXRA_AGENT_ID: 'agt_0123456789abcdef0123456789abcdef', FLUXRA_API_KEY: 'sk_manifest_test_key_0001' };
const storeConfig = (): { store: { path: string } } => ({ store: { path: join(tempDir(), 'bridge.db') } });

const COMMAND_LINES = [['start'], ['check'], ['fluxra', 'register'], ['slack', 'manifest'], ['discord', 'register-commands']] as const;

test('--help lists every command and the exit codes', async () => {
  const result = await runCli(['--help']);
  assert.equal(result.code, 0, result.stderr);
  for (const words of COMMAND_LINES) assert.match(result.stdout, new RegExp(`^  ${words.join(' ')}\\b`, 'm'));
  assert.match(result.stdout, /^ {2}0 {2}success/m);
  assert.match(result.stdout, /^ {2}1 {2}failure/m);
  assert.match(result.stdout, /^ {2}2 {2}usage or configuration error/m);
  assert.equal(result.stderr, '');
});

test('every command has its own --help with usage, options and exit codes', async () => {
  for (const words of COMMAND_LINES) {
    const result = await runCli([...words, '--help']);
    assert.equal(result.code, 0, `${words.join(' ')}: ${result.stderr}`);
    assert.match(result.stdout, new RegExp(`^Usage: fluxra-bridge ${words.join(' ')}`), words.join(' '));
    assert.match(result.stdout, /--config FILE/);
    assert.match(result.stdout, /^Exit codes:\n {2}0 /m);
  }
  const register = await runCli(['fluxra', 'register', '-h']);
  assert.match(register.stdout, /<agent-name> +The agent's name: 3 to 50 letters/);
  assert.match(register.stdout, /--expires-days DAYS/);
  const group = await runCli(['discord', '--help']);
  assert.equal(group.code, 0);
  assert.match(group.stdout, /^ {2}register-commands /m);
});

test('--version prints the package version', async () => {
  const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  for (const flag of ['--version', '-V']) {
    const result = await runCli([flag]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${version}\n`);
  }
});

test('bad usage exits 2 with one clear line and where to find help', async () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /^fluxra-bridge \S+: bridges Slack/],
    [['launch'], /^fluxra-bridge: unknown command "launch"\nRun "fluxra-bridge --help" for usage\.$/m],
    [['--verbose'], /unknown option --verbose/],
    [['check', '--fast'], /^fluxra-bridge: unknown option --fast\nRun "fluxra-bridge check --help" for usage\.$/m],
    [['check', 'now'], /unexpected argument "now"/],
    [['slack'], /"slack" needs a command/],
    [['slack', 'app'], /unknown command "slack app"\nRun "fluxra-bridge slack --help"/],
    [['fluxra', 'register'], /missing <agent-name>/],
    [['slack', 'manifest', '--http-url'], /option --http-url needs a value/],
    [['discord', 'register-commands', '--guild', 'general'], /--guild must be a guild id/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
    assert.equal(result.stdout, '', args.join(' '));
  }
});

test('an invalid configuration exits 2 with every problem and no secret', async () => {
  const secret = 'xoxb-should_never_be_printed';
  const result = await runCli(['check'], { config: { slack: { mode: 'pigeon' }, health: { port: -1 } }, env: { SLACK_BOT_TOKEN: secret } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /slack\.mode: found "pigeon"/);
  assert.match(result.stderr, /health\.port: found -1/);
  assert.ok(!result.stderr.includes(secret) && !result.stdout.includes(secret));
});

test('slack manifest prints the Socket Mode manifest with scopes, events and the offered commands', async () => {
  const result = await runCli(['slack', 'manifest'], { config: { ...storeConfig(), commands: { block: 'fx-block' } }, env: FLUXRA_ENV });
  assert.equal(result.code, 0, result.stderr);
  const manifest = JSON.parse(result.stdout) as {
    features: { bot_user: { display_name: string }; slash_commands: Array<{ command: string; description: string; usage_hint: string; url?: string }> };
    oauth_config: { scopes: { bot: string[] } };
    settings: { event_subscriptions: { bot_events: string[]; request_url?: string }; socket_mode_enabled: boolean; interactivity?: { is_enabled: boolean; request_url?: string } };
  };
  for (const scope of [
    'chat:write',
    'chat:write.customize',
    'channels:history',
    'groups:history',
    'channels:read',
    'groups:read',
    'reactions:write',
    'users:read',
    'app_mentions:read',
    'commands',
    'files:read',
  ]) {
    assert.ok(manifest.oauth_config.scopes.bot.includes(scope), scope);
  }
  // The side pane (slack.assistant.enabled by default) adds its events.
  assert.deepEqual(manifest.settings.event_subscriptions.bot_events, [
    'app_mention',
    'assistant_thread_context_changed',
    'assistant_thread_started',
    'message.channels',
    'message.groups',
    'message.im',
  ]);
  assert.equal(manifest.settings.socket_mode_enabled, true);
  assert.equal(manifest.settings.event_subscriptions.request_url, undefined);
  // The status messages' buttons and forms (issue 19) need interactivity; Socket Mode carries it.
  assert.deepEqual(manifest.settings.interactivity, { is_enabled: true });
  const commands = manifest.features.slash_commands;
  // Every command, /agent too although BLOCKS_API_KEY is not set yet: the app is created once.
  assert.deepEqual(
    commands.map((c) => c.command),
    ['/fx-block', '/bridge', '/agent'],
  );
  assert.equal(commands[1]?.usage_hint, 'link <conversation> [name] | unlink [what] | share | status | help');
  assert.match(commands[0]?.description ?? '', /^Block an agent/);
  assert.ok(commands.every((c) => c.url === undefined));
  assert.equal(manifest.features.bot_user.display_name, 'Fluxra Bridge');
  assert.match(result.stderr, /SLACK_APP_TOKEN/);
});

test('slack manifest --http-url points events and commands at /slack/events and turns Socket Mode off', async () => {
  const result = await runCli(['slack', 'manifest', '--http-url', 'https://bridge.example.com/', '--name', 'Team Bridge'], { config: storeConfig(), env: FLUXRA_ENV });
  assert.equal(result.code, 0, result.stderr);
  const manifest = JSON.parse(result.stdout) as {
    display_information: { name: string };
    features: { slash_commands: Array<{ url?: string }> };
    settings: { event_subscriptions: { request_url?: string }; socket_mode_enabled: boolean };
  };
  assert.equal(manifest.settings.socket_mode_enabled, false);
  assert.equal(manifest.settings.event_subscriptions.request_url, 'https://bridge.example.com/slack/events');
  assert.ok(manifest.features.slash_commands.length > 0);
  assert.ok(manifest.features.slash_commands.every((c) => c.url === 'https://bridge.example.com/slack/events'));
  assert.equal(manifest.display_information.name, 'Team Bridge');
  assert.match(result.stderr, /SLACK_SIGNING_SECRET/);
});

test('slack manifest lists all three commands without any credential, and says what each still needs', async () => {
  const result = await runCli(['slack', 'manifest'], { config: storeConfig() });
  assert.equal(result.code, 0, result.stderr);
  const manifest = JSON.parse(result.stdout) as { features: { slash_commands?: Array<{ command: string; usage_hint: string }> } };
  assert.deepEqual(
    manifest.features.slash_commands?.map((c) => c.command),
    ['/block', '/bridge', '/agent'],
  );
  assert.equal(manifest.features.slash_commands?.[2]?.usage_hint, '[agent] <prompt>');
  assert.match(result.stderr, /note: the manifest lists every command/);
  assert.match(result.stderr, /\/block and the conversation links of \/bridge answer once FLUXRA_AGENT_ID and FLUXRA_API_KEY are set/);
  assert.match(result.stderr, /\/agent, @mentions of the bot and "\/bridge link agent" answer once BLOCKS_API_KEY is set/);
});

test('slack manifest refuses HTTP mode without a URL, and a URL that is not http(s)', async () => {
  const noUrl = await runCli(['slack', 'manifest'], { config: { ...storeConfig(), slack: { mode: 'http' } } });
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /slack\.mode is "http": give --http-url/);
  const badUrl = await runCli(['slack', 'manifest', '--http-url', 'ftp://example.com'], { config: storeConfig() });
  assert.equal(badUrl.code, 2);
  assert.match(badUrl.stderr, /--http-url must be an http\(s\) URL/);
});
