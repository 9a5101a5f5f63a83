/**
 * The process entry point without a command line: runs the bridge exactly as
 * `fluxra-bridge start` does (see `cli/commands/start.ts`). Exit codes a supervisor can rely on:
 * 0 after a clean stop, 2 for a configuration problem, 1 for a failure to start.
 */

import { runBridge } from './cli/commands/start.js';
import { EXIT_CONFIG, EXIT_FAILED, EXIT_OK, exitWhenDone } from './cli/exit.js';
import { processIo } from './cli/io.js';
import { describeError } from './core/errors.js';

export { EXIT_CONFIG, EXIT_OK };
export const EXIT_START_FAILED = EXIT_FAILED;

runBridge(processIo()).then(
  (code) => exitWhenDone(code),
  (error: unknown) => {
    process.stderr.write(`fatal: ${describeError(error)}\n`);
    process.exit(EXIT_FAILED);
  },
);
