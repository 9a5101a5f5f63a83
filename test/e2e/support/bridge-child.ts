/**
 * The bridge as an operator runs it: `src/main.ts` in a child process (through tsx, in the
 * same Node process, so that the pid is the bridge's own and SIGKILL hits nothing else; or
 * the compiled `dist/main.js` with BRIDGE_COMPILED=1),
 * configured by a JSON config file and environment secrets. Its JSON log lines are parsed
 * as they arrive so that tests wait on what the bridge says rather than on the clock.
 *
 * No test-framework imports: the mirror benchmark runs the bridge through this too.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { PRODUCTION_NODE_FLAGS } from '../../../src/app/node-flags.js';

const MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));
/** The compiled entry point (`npm run build`), what production runs (Dockerfile: node dist/…). */
const COMPILED_MAIN = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type LogLine = Record<string, unknown>;

export interface BridgeChildOptions {
  /** Written to `bridge.json` in `dir` (a fresh temp dir when absent). */
  config: unknown;
  /** Secrets and anything else; PATH is always passed, nothing else is inherited. */
  env: Record<string, string>;
  dir?: string;
  /** Keep at most this many parsed log lines (oldest dropped); default unbounded. */
  maxLines?: number;
}

export interface BridgeChild {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly pid: number;
  /** Parsed stdout lines (a line that is not JSON becomes `{ raw }`). */
  readonly lines: LogLine[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exit: Promise<number | null>;
  readonly exited: () => boolean;
  /** Resolves with the first line (seen so far or later) matching; rejects if the bridge exits first or after `timeoutMs`. */
  waitForLog(predicate: (line: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** Peak resident set size in MB (VmHWM), while the process lives; undefined once it has exited. */
  peakRssMb(): number | undefined;
  /** Sends `signal` and resolves once the process has exited. */
  killAndWait(signal: NodeJS.Signals): Promise<number | null>;
}

export function writeBridgeConfig(dir: string, config: unknown): string {
  const path = join(dir, 'bridge.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

export function startBridgeChild(options: BridgeChildOptions): BridgeChild {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'bridge-process-'));
  const configPath = writeBridgeConfig(dir, options.config);
  // Opt-in Node flags for profiling the bridge (e.g. BRIDGE_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeFlags = (process.env['BRIDGE_NODE_FLAGS'] ?? '').split(/\s+/).filter((flag) => flag !== '');
  // BRIDGE_COMPILED=1 runs dist/main.js with plain Node, as production does: tsx transpiles
  // every module on load and keeps its caches, which the mirror benchmark's peak RSS would
  // otherwise include. dist/ must be built from the current sources first (npm run build).
  const compiled = process.env['BRIDGE_COMPILED'] === '1';
  if (compiled && !existsSync(COMPILED_MAIN)) throw new Error(`BRIDGE_COMPILED=1 but ${COMPILED_MAIN} is missing: run npm run build`);
  // Production's memory flags first, so that the figures are production's; opt-in flags after (later wins).
  const flags = [...PRODUCTION_NODE_FLAGS, ...nodeFlags];
  const child = spawn(process.execPath, compiled ? [...flags, COMPILED_MAIN] : [...flags, '--import', 'tsx', MAIN], {
    env: { PATH: process.env['PATH'] ?? '', FLUXRA_BRIDGE_CONFIG: configPath, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: REPO_ROOT,
  });
  // Keep only the tail of raw output: a long run logs a lot, and tests print the tail on failure.
  const TAIL = 1_000_000;
  let out = '';
  let err = '';
  let partial = '';
  const lines: LogLine[] = [];
  // How many lines were dropped from the front, so that waiters keep absolute positions.
  let dropped = 0;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out = (out + chunk).slice(-TAIL);
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line === '') continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ raw: line });
      }
    }
    if (options.maxLines !== undefined && lines.length > options.maxLines) dropped += lines.splice(0, lines.length - options.maxLines).length;
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-TAIL);
  });
  let hasExited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      hasExited = true;
      wake();
      resolve(code);
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('the bridge process did not start');

  return {
    child,
    pid,
    lines,
    stdout: () => out,
    stderr: () => err,
    exit,
    exited: () => hasExited,
    async waitForLog(predicate, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      // Absolute index of the next line to look at: each line is tested once.
      let next = dropped;
      for (;;) {
        for (let i = Math.max(next, dropped); i < dropped + lines.length; i += 1) {
          const line = lines[i - dropped];
          if (line !== undefined && predicate(line)) return line;
        }
        next = dropped + lines.length;
        if (hasExited) throw new Error(`the bridge exited before ${what}:\n${err.slice(-4000)}\n${out.slice(-4000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${err.slice(-4000)}\n${out.slice(-4000)}`);
        await new Promise<void>((resolve) => {
          const done = (): void => {
            waiters.delete(done);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(done, 500);
          timer.unref();
          waiters.add(done);
        });
      }
    },
    peakRssMb() {
      if (hasExited) return undefined;
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
        return kb === undefined ? undefined : Number(kb) / 1024;
      } catch {
        return undefined;
      }
    },
    async killAndWait(signal) {
      if (!hasExited) child.kill(signal);
      return exit;
    },
  };
}
