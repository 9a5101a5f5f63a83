/**
 * `fluxra-bridge check`: validates the configuration, then reaches every configured part
 * and says, one line each, what works and what does not. Parts are checked independently
 * (one failing never hides another); the order of the lines is fixed.
 */
import { formatReport } from '../check/report.js';
import { ok } from '../check/result.js';
import type { CommandDef } from '../command-def.js';
import { nothingConfigured } from '../essentials.js';
import { EXIT_CONFIG, EXIT_FAILED, EXIT_OK } from '../exit.js';
import { BIN } from '../help.js';
import { configOption, loadCliConfig } from '../load.js';

export const checkCommand: CommandDef = {
  path: ['check'],
  summary: 'Validate the configuration and reach every configured service',
  description: [
    'Validates the configuration (exit 2 with every problem listed), then reaches each configured',
    'part and prints one line for each: ✓ works, ✗ does not (with the reason and a hint), - not',
    'configured. Parts: the store, Redis, Fluxra (/health and a token exchange), the Blocks key',
    '(one request through the rate budget: a GET of a session that cannot exist, where 404 means',
    'the key was accepted), Slack (auth.test; in Socket Mode also the app-level token) and',
    'Discord (GET /users/@me). Nothing is written: a store file that does not exist yet is not',
    'created (the bridge creates it at start); only whether it could be is checked.',
  ].join('\n'),
  options: {},
  positionals: [],
  exitCodes: ['0  every configured part works', '1  at least one configured part does not', '2  bad usage, invalid configuration, or nothing configured at all'],
  run: async (input, io) => {
    const outcome = await loadCliConfig(io, configOption(input));
    if (!outcome.ok) return outcome.code;
    const loaded = outcome.loaded;
    // Nothing to check: say so and touch nothing (no store file is created either).
    const nothing = nothingConfigured(loaded);
    if (nothing !== undefined) {
      io.err(`${BIN}: ${nothing}`);
      return EXIT_CONFIG;
    }
    const configLine = ok('config', loaded.source ? `valid: ${loaded.source} and the environment` : 'valid: defaults and the environment (no config file)');
    // The parts' clients (undici, Redis, the store) load only when the check runs.
    const { checkEveryPart } = await import('../check/index.js');
    const results = [configLine, ...(await checkEveryPart(loaded))];
    io.out(formatReport(results));
    return results.some((result) => result.status === 'failed') ? EXIT_FAILED : EXIT_OK;
  },
};
