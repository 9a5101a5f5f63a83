/**
 * Loads the configuration for a command: `--config FILE`, else `$FLUXRA_BRIDGE_CONFIG`,
 * else `config/bridge.json`. A configuration problem is printed (every problem, never a
 * secret) and becomes exit code 2; the caller only sees a config or that code.
 */
import type { LoadedConfig } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import type { CommandInput } from './command-def.js';
import { EXIT_CONFIG } from './exit.js';
import type { CliIo } from './io.js';

export type ConfigOutcome = { ok: true; loaded: LoadedConfig } | { ok: false; code: number };

export async function loadCliConfig(io: CliIo, path: string | undefined): Promise<ConfigOutcome> {
  // Imported when a command runs, not when the command table loads: --help stays light.
  const { loadConfig } = await import('../config/load.js');
  try {
    return { ok: true, loaded: loadConfig({ env: io.env, ...(path !== undefined ? { path } : {}) }) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return { ok: false, code: EXIT_CONFIG };
  }
}

/** The `--config FILE` every command accepts, if given. */
export function configOption(input: CommandInput): string | undefined {
  const path = input.options['config'];
  return typeof path === 'string' ? path : undefined;
}
