/**
 * Runs the `fluxra-bridge` command line as an operator does: `src/cli.ts` in a child
 * process (through tsx), configured by a JSON file and environment secrets, nothing else
 * inherited. Resolves with the exit code and both outputs once the process has exited.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Written to a fresh temp dir and named by FLUXRA_BRIDGE_CONFIG; absent: no config file. */
  config?: unknown;
  env?: Record<string, string>;
  /** The working directory (default: the repository), e.g. an empty one to see what a command writes. */
  cwd?: string;
}

/** tsx by file URL, so that `--import` finds it from any working directory. */
const TSX = import.meta.resolve('tsx');

/** A fresh directory for a test's store file. */
export function tempDir(prefix = 'cli-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', ...options.env };
  if (options.config !== undefined) {
    const path = join(tempDir('cli-config-'), 'bridge.json');
    writeFileSync(path, JSON.stringify(options.config));
    env['FLUXRA_BRIDGE_CONFIG'] = path;
  }
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { env, cwd: options.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** How many times `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
