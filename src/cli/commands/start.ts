/**
 * `fluxra-bridge start` (what `npm start` and the container run; `src/main.ts` is the same
 * thing without argument parsing): load the configuration, build the bridge, start it, and
 * stop it gracefully on SIGTERM/SIGINT. Resolves with the exit code: 0 after a clean stop,
 * 2 for a configuration problem (also: no chat platform or no upstream configured, see
 * essentials.ts), 1 when the bridge could not start (or could not stop cleanly).
 */
import type { Bridge } from '../../app/bridge.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { CommandDef } from '../command-def.js';
import { missingToStart } from '../essentials.js';
import { EXIT_CONFIG, EXIT_FAILED, EXIT_OK } from '../exit.js';
import { BIN } from '../help.js';
import type { CliIo } from '../io.js';
import { configOption, loadCliConfig } from '../load.js';
import { installProcessGuards } from '../process-guards.js';

export interface StartOptions {
  /** `--config FILE`; else the usual lookup (see `loadCliConfig`). */
  configPath?: string;
}

export async function runBridge(io: CliIo, options: StartOptions = {}): Promise<number> {
  const outcome = await loadCliConfig(io, options.configPath);
  if (!outcome.ok) return outcome.code;
  const loaded = outcome.loaded;
  const missing = missingToStart(loaded);
  if (missing !== undefined) {
    io.err(`${BIN}: cannot start: ${missing}`);
    return EXIT_CONFIG;
  }
  // The bridge (Bolt, discord.js and the rest) loads only when it is started.
  const [{ createBridge }, { createLogger }] = await Promise.all([import('../../app/bridge.js'), import('../../core/logger.js')]);
  const logger = createLogger({ level: loaded.config.log.level });
  if (loaded.source) logger.info({ file: loaded.source }, 'configuration loaded');
  const removeGuards = installProcessGuards(logger);
  try {
    return await runUntilStopped(() => createBridge(loaded, { logger }), logger);
  } finally {
    removeGuards();
  }
}

/** Builds and starts the bridge, then runs it until SIGTERM/SIGINT; resolves with the exit code. */
async function runUntilStopped(build: () => Promise<Bridge>, logger: Logger): Promise<number> {
  let bridge: Bridge | undefined;
  try {
    bridge = await build();
    await bridge.start();
  } catch (error) {
    logger.fatal({ err: describeError(error) }, 'the bridge could not start');
    await bridge?.stop().catch(() => undefined);
    return EXIT_FAILED;
  }

  const running = bridge;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      // Drain first (no new work, the outbox delivered within shutdown.drainTimeoutMs), then close.
      running
        .drain()
        .catch((error: unknown) => logger.warn({ err: describeError(error) }, 'drain failed; stopping anyway'))
        .then(() => running.stop())
        .then(
          () => resolve(EXIT_OK),
          (error: unknown) => {
            logger.error({ err: describeError(error) }, 'stop failed');
            resolve(EXIT_FAILED);
          },
        );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

export const startCommand: CommandDef = {
  path: ['start'],
  summary: 'Run the bridge until SIGTERM or SIGINT',
  description: [
    'Runs the bridge: connects the configured platforms, mirrors linked channels, answers slash',
    'commands and agent requests, and serves /healthz and /readyz. SIGTERM or SIGINT stops it',
    'gracefully. Logs are JSON lines on stdout.',
  ].join('\n'),
  options: {},
  positionals: [],
  exitCodes: [
    '0  stopped cleanly after SIGTERM/SIGINT',
    '1  the bridge could not start (or could not stop cleanly)',
    '2  invalid configuration (every problem is listed on stderr), or no chat platform or no upstream configured (one line names what is missing)',
  ],
  run: (input, io) => {
    const configPath = configOption(input);
    return runBridge(io, configPath !== undefined ? { configPath } : {});
  },
};
