/**
 * `npm run sandbox` as a person runs it, in a child process (`node tools/sandbox.mjs`, what
 * the npm script runs: it bundles src/sandbox and runs it), on a free port and a data dir of
 * the test's own. Resolves once it prints its address; `stop()` sends SIGTERM and waits.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY = /ready in [\d.]+ s \((\d+) ms[^)]*\): (http:\/\/127\.0\.0\.1:\d+)/;

export interface SandboxChild {
  readonly url: string;
  /** What the sandbox reported as its start-up time (ms since its process started). */
  readonly readyMs: number;
  output(): string;
  /** The console's current view, as the page receives it. */
  view(): Promise<any>;
  /** Resolves with the first truthy value of `check` on the view, re-reading it until `timeoutMs`. */
  waitForView<T>(check: (view: any) => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  /** Does what a visitor does in a pane (POST /api/<pane>). */
  act(pane: 'slack' | 'discord' | 'fluxra', body: { text: string; thread?: string; agentId?: string }): Promise<{ ok: boolean; error?: string }>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export async function startSandboxChild(dataDir: string, extraArgs: string[] = []): Promise<SandboxChild> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, ['tools/sandbox.mjs', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
    const check = (): void => {
      const match = READY.exec(out);
      if (match) {
        child.stdout.off('data', check);
        resolve(match);
      }
    };
    child.stdout.on('data', check);
    void exit.then((code) => reject(new Error(`the sandbox exited (${code}) before it was ready:\n${out}`)));
  });
  const url = ready[2] ?? '';
  const view = async (): Promise<any> => (await fetch(`${url}/api/view`)).json();

  return {
    url,
    readyMs: Number(ready[1]),
    output: () => out,
    view,
    async waitForView(check, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = check(await view());
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${JSON.stringify(await view()).slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async act(pane, body) {
      const response = await fetch(`${url}/api/${pane}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await response.json()) as { ok: boolean; error?: string };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}
