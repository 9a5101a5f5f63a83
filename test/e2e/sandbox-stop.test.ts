/**
 * Stopping the sandbox the ways it gets stopped: SIGTERM to the `npm run sandbox` process
 * (what a process manager or `kill <pid>` sends; npm passes it on to its script, which must
 * reach node and not only a shell in between), and the death of whatever started it without
 * any signal (the sandbox, orphaned, stops by itself). Either way the console stops answering
 * and the state is saved.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '../support/eventually.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY = /ready in [\d.]+ s[^:]*: (http:\/\/127\.0\.0\.1:\d+)/;

function startVia(command: string, args: string[]) {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = eventually(() => READY.exec(out)?.[1], 'the sandbox ready line', 60_000);
  return { child, exit, url, output: () => out };
}

/** True once nothing answers at the console's address any more. */
async function consoleGone(url: string): Promise<true | undefined> {
  try {
    await fetch(`${url}/api/view`);
    return undefined;
  } catch {
    return true;
  }
}

test('SIGTERM to the npm run sandbox process stops the sandbox and saves its state', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-stop-'));
  try {
    const run = startVia('npm', ['run', '--silent', 'sandbox', '--', '--port', '0', '--data-dir', dataDir]);
    const url = await run.url;
    assert.equal((await fetch(`${url}/api/view`)).status, 200);
    run.child.kill('SIGTERM');
    await eventually(() => consoleGone(url), 'the console to stop answering', 30_000);
    await run.exit;
    await eventually(() => (run.output().includes('Sandbox stopped.') ? true : undefined), 'the stop message', 30_000);
    assert.ok(existsSync(join(dataDir, 'slack.json')), 'state saved');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a sandbox whose starting shell dies without passing a signal on stops by itself', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-orphan-'));
  try {
    // A shell between us and node that does not exec it, killed outright (SIGKILL passes nothing on).
    const run = startVia('sh', ['-c', `node tools/sandbox.mjs --port 0 --data-dir '${dataDir}'; true`]);
    const url = await run.url;
    run.child.kill('SIGKILL');
    await run.exit;
    await eventually(() => consoleGone(url), 'the orphaned sandbox to stop', 30_000);
    await eventually(() => (existsSync(join(dataDir, 'console.json')) ? true : undefined), 'state saved on the way out', 30_000);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
