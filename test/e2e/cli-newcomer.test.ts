/**
 * The command line as a newcomer meets it on a fresh clone: `npm run cli -- …` works without
 * a build; after `npm run build`, `dist/cli.js` is executable and `npx fluxra-bridge` runs it;
 * `start` with no chat platform or no upstream exits 2 with one line naming what is missing
 * (instead of running forever and reporting ready); `check` with nothing configured exits 2
 * and writes nothing, and with something configured it still never creates the store file.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type CliResult, runCli, tempDir } from './cli-harness.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SLACK = { SLACK_BOT_TOKEN: 'xoxb-0000_0000_newcomer_bot_token', SLACK_APP_TOKEN: 'xapp-1-A000-0000-newcomer-app-token' };
const FLUXRA = { FLUXRA_AGENT_ID: 'agt_0123456789abcdef0123456789abcdef', FLUXRA_API_KEY: 'sk_newcomer_key_0001' };

/** A command as typed in a terminal (npm, npx, a file run directly), with only PATH and HOME inherited. */
function run(command: string, args: readonly string[], cwd = REPO_ROOT): Promise<CliResult> {
  const child = spawn(command, args, { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const oneLine = (text: string): string[] => text.split('\n').filter((line) => line !== '');

test('npm run cli -- <command> works from a checkout without a build', async () => {
  const result = await run('npm', ['run', '--silent', 'cli', '--', '--help']);
  assert.equal(result.code, 0, result.stderr);
  for (const command of ['start', 'check', 'fluxra register', 'slack manifest', 'discord register-commands']) assert.ok(result.stdout.includes(command), command);
});

test('after npm run build, dist/cli.js is executable and npx fluxra-bridge runs it', async () => {
  const build = await run('npm', ['run', '--silent', 'build']);
  assert.equal(build.code, 0, build.stdout + build.stderr);
  const cli = join(REPO_ROOT, 'dist/cli.js');
  accessSync(cli, constants.X_OK);
  const direct = await run(cli, ['--version']);
  assert.equal(direct.code, 0, direct.stderr);
  assert.match(direct.stdout, /^\d+\.\d+\.\d+\n$/);
  const npx = await run('npx', ['--no-install', 'fluxra-bridge', '--help']);
  assert.equal(npx.code, 0, npx.stderr);
  assert.match(npx.stdout, /fluxra-bridge/);
});

test('start exits 2 with one line naming the missing platform, the missing upstream, or both', async () => {
  const dir = tempDir();
  const config = { store: { path: join(dir, 'bridge.db') }, health: { port: 0, host: '127.0.0.1' } };
  const noPlatform = await runCli(['start'], { config, env: FLUXRA });
  assert.equal(noPlatform.code, 2, noPlatform.stdout + noPlatform.stderr);
  assert.deepEqual(oneLine(noPlatform.stderr), [
    'fluxra-bridge: cannot start: no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN for Slack, or DISCORD_TOKEN for Discord (see .env.example)',
  ]);
  assert.equal(noPlatform.stdout, '');

  const noUpstream = await runCli(['start'], { config, env: SLACK });
  assert.equal(noUpstream.code, 2);
  assert.deepEqual(oneLine(noUpstream.stderr), [
    'fluxra-bridge: cannot start: nothing to bridge to: set FLUXRA_AGENT_ID and FLUXRA_API_KEY for Fluxra, or BLOCKS_API_KEY for Blocks agents (see .env.example)',
  ]);

  const httpSlack = await runCli(['start'], { config: { ...config, slack: { mode: 'http' } }, env: { BLOCKS_API_KEY: 'blk_newcomer_0001' } });
  assert.equal(httpSlack.code, 2);
  assert.match(httpSlack.stderr, /set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET for Slack, or DISCORD_TOKEN/);

  const nothing = await runCli(['start'], { config });
  assert.equal(nothing.code, 2);
  assert.equal(oneLine(nothing.stderr).length, 1);
  assert.match(nothing.stderr, /no chat platform is configured: .*; nothing to bridge to: /);
  // Refused before anything was opened: no store file.
  assert.deepEqual(readdirSync(dir), []);
});

test('check with nothing configured exits 2 in one line and writes nothing', async () => {
  const cwd = tempDir('cli-newcomer-cwd-');
  // No config file, no secrets: the defaults, whose store path is ./data/bridge.db.
  const result = await runCli(['check'], { cwd });
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.deepEqual(oneLine(result.stderr), ['fluxra-bridge: nothing is configured: no Slack, Discord, Fluxra or Blocks credentials in the environment (see .env.example)']);
  assert.equal(result.stdout, '');
  assert.deepEqual(readdirSync(cwd), [], 'no ./data/bridge.db (nor anything else) was created');
});

test('check with something configured reports the store it would create without creating it', async () => {
  const cwd = tempDir('cli-newcomer-cwd-');
  // Blocks on a port nothing listens on: its line fails, the others are "not configured".
  const result = await runCli(['check'], { cwd, config: { blocks: { baseUrl: 'http://127.0.0.1:9', requestTimeoutMs: 2000 } }, env: { BLOCKS_API_KEY: 'blk_newcomer_0001' } });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /✓ store +SQLite store \.\/data\/bridge\.db does not exist yet; the bridge creates it at start \(.* is writable\)/);
  assert.equal(existsSync(join(cwd, 'data')), false, 'check created no store file');
});
