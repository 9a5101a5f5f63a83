/**
 * The process entry point: load and validate the configuration, build the bridge, start
 * it, and stop it gracefully on SIGTERM/SIGINT. Exit codes a supervisor can rely on:
 * 0 after a clean stop, 2 for a configuration problem, 1 for a failure to start.
 */
import { loadConfig } from './config/load.js';
import { ConfigError, describeError } from './errors.js';
import { createLogger } from './logger.js';
import { createBridge, type Bridge } from './app/bridge.js';

export const EXIT_OK = 0;
export const EXIT_START_FAILED = 1;
export const EXIT_CONFIG = 2;

async function main(): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT_CONFIG;
    }
    throw error;
  }
  const logger = createLogger({ level: loaded.config.log.level });
  if (loaded.source) logger.info({ file: loaded.source }, 'configuration loaded');

  let bridge: Bridge | undefined;
  try {
    bridge = await createBridge(loaded, { logger });
    await bridge.start();
  } catch (error) {
    logger.fatal({ err: describeError(error) }, 'the bridge could not start');
    await bridge?.stop().catch(() => undefined);
    return EXIT_START_FAILED;
  }

  const running = bridge;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      running.stop().then(
        () => resolve(EXIT_OK),
        (error: unknown) => {
          logger.error({ err: describeError(error) }, 'stop failed');
          resolve(EXIT_START_FAILED);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
    // Give pino a moment to flush, then make sure no stray handle keeps a stopped bridge alive.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    process.stderr.write(`fatal: ${describeError(error)}\n`);
    process.exit(EXIT_START_FAILED);
  },
);
