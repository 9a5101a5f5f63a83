/**
 * `fluxra-bridge start` as a child process: it runs the same bridge as `src/main.ts`
 * (started, serving /healthz, stopped by SIGTERM with exit 0), takes `--config FILE`, and
 * exits 2 on an invalid configuration.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createFakeDiscord, type FakeDiscord } from '../../src/simulators/discord.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra } from '../../src/simulators/fluxra.js';
import { runCli, tempDir } from './cli-harness.js';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const DISCORD_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.start0.token-for-the-start-test';

let fluxra: FakeFluxra;
let discord: FakeDiscord;
let agent: FakeAgentCredentials;

before(async () => {
  fluxra = await createFakeFluxra();
  // A chat platform too: without one, start refuses to run (see the exit-2 test below).
  discord = await createFakeDiscord({ token: DISCORD_TOKEN, guildId: '100000000000000001', channels: [{ id: '200000000000000001', name: 'general' }] });
  agent = fluxra.createAgent({ agentName: 'start-bridge' });
});

after(async () => {
  await fluxra.close();
  await discord.close();
});

test('start runs the bridge from --config, serves /healthz, and stops on SIGTERM with exit 0', async () => {
  const dir = tempDir();
  const configPath = join(dir, 'custom.json');
  writeFileSync(
    configPath,
    JSON.stringify({ fluxra: { baseUrl: fluxra.url }, discord: { apiUrl: discord.apiUrl }, store: { path: join(dir, 'bridge.db') }, health: { port: 0, host: '127.0.0.1' } }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--config', configPath], {
    env: { PATH: process.env['PATH'] ?? '', FLUXRA_AGENT_ID: agent.agentId, FLUXRA_API_KEY: agent.apiKey, DISCORD_TOKEN },
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed['msg'] === 'bridge started') resolve(parsed);
      }
    });
    void exit.then((code) => reject(new Error(`exited with ${String(code)} before starting:\n${stderr}\n${stdout}`)));
  });
  try {
    assert.ok(stdout.includes(configPath), 'the --config file was the one loaded');
    const health = await fetch(`http://127.0.0.1:${String(started['healthPort'])}/healthz`);
    assert.equal(health.status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exit, 0, stderr);
  assert.match(stdout, /"msg":"bridge stopped"/);
  assert.ok(!stdout.includes(agent.apiKey) && !stderr.includes(agent.apiKey));
  assert.ok(!stdout.includes(DISCORD_TOKEN) && !stderr.includes(DISCORD_TOKEN));
});

test('start exits 2 on an invalid configuration, listing the problem', async () => {
  const result = await runCli(['start'], { config: { store: { path: '' }, log: { level: 'loud' } } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /log\.level: found "loud"/);
  assert.equal(result.stdout, '');
});
