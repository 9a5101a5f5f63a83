/**
 * `fluxra-bridge check`: validates the configuration, then reaches every configured part
 * and says, one line each, what works and what does not. Parts are checked independently
 * (one failing never hides another); the order of the lines is fixed.
 */
import type { CommandDef } from '../command-def.js';

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
  load: async () => (await import('../run/check.js')).runCheck,
};
