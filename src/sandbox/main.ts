/**
 * `npm run sandbox`: the whole bridge on this machine with no account. Prints the console's
 * address, how long start-up took (from process start), and what to try first; Ctrl-C or
 * SIGTERM stops it with everything saved, and the next start picks up where it left off.
 */

import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeError } from '../core/errors.js';
import { nextHints } from './hints.js';
import { parseSandboxOptions } from './options.js';
import { startSandbox } from './sandbox.js';

// Everything above is imported before this line runs: the modules' share of start-up.
const modulesLoadedMs = performance.now();

async function main(): Promise<number> {
  const parsed = parseSandboxOptions(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message}\n`);
    return 2;
  }
  const { options } = parsed;
  const sandbox = await startSandbox({ ...options, host: '127.0.0.1' });
  // performance.now() counts from the start of this Node process.
  const readyMs = Math.round(performance.now());
  // CPU time says how much of that was work rather than waiting for a busy machine's cores.
  const cpu = process.cpuUsage();
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const { timings } = sandbox;
  const steps = `cpu ${cpuMs} ms; modules ${Math.round(modulesLoadedMs)} ms, simulators ${Math.round(timings.simulators)} ms, bridge ${Math.round(timings.bridge)} ms, console ${Math.round(timings.console)} ms`;
  // Paths inside the working directory are shown relative to it, others in full.
  const show = (path: string): string => {
    const inside = relative(process.cwd(), path);
    return inside === '' ? '.' : inside.startsWith('..') ? path : `./${inside}`;
  };
  const hints = nextHints(sandbox.view());
  const out = [
    '',
    `Fluxra bridge sandbox ready in ${(readyMs / 1000).toFixed(2)} s (${readyMs} ms; ${steps}): ${sandbox.url}`,
    ...(sandbox.portFallback ? [`  (port ${options.port} was taken; using a free one)`] : []),
    '  Slack, Discord, Fluxra and Blocks are simulated in this process; nothing reaches the internet and no account is needed.',
    `  ${sandbox.restored ? 'Restored the links and history' : 'First run: state is kept'} in ${show(sandbox.dataDir)}/ (delete it to start over). Bridge log: ${show(sandbox.logFile)}`,
    '',
    `Open ${sandbox.url} and:`,
    ...hints.map((hint, index) => `  ${index + 1}. ${hint.replaceAll('`', '')}`),
    '',
    'Ctrl-C (or SIGTERM to this process) stops the sandbox; links and history are kept.',
    '',
  ];
  process.stdout.write(out.join('\n'));

  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.stdout.write(`\n${signal}: stopping the sandbox (saving state)…\n`);
      sandbox.stop().then(
        () => {
          process.stdout.write('Sandbox stopped.\n');
          resolve(0);
        },
        (error: unknown) => {
          process.stderr.write(`The sandbox did not stop cleanly: ${describeError(error)}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`The sandbox could not start: ${describeError(error)}\n`);
    process.exitCode = 1;
  },
);
