#!/usr/bin/env node
/**
 * The `fluxra-bridge` command line: start, check, fluxra register, slack manifest,
 * discord register-commands. Exit codes: 0 success, 1 failure, 2 usage or configuration
 * error (see `cli/exit.ts` and `fluxra-bridge --help`).
 */
import { COMMANDS } from './cli/commands/index.js';
import { dispatch } from './cli/dispatch.js';
import { EXIT_FAILED, exitWhenDone } from './cli/exit.js';
import { processIo } from './cli/io.js';
import { packageVersion } from './cli/version.js';
import { describeError } from './core/errors.js';

dispatch(process.argv.slice(2), processIo(), { commands: COMMANDS, version: packageVersion() }).then(
  (code) => exitWhenDone(code),
  (error: unknown) => {
    process.stderr.write(`fluxra-bridge: unexpected failure: ${describeError(error)}\n`);
    process.exit(EXIT_FAILED);
  },
);
