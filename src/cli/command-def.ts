/**
 * The shape of one CLI command: its words, its options and positionals (with their help),
 * and what it does. Each command is one file in `commands/` (the table: `commands/index.ts`);
 * parsing in `dispatch.ts`.
 */
import type { CliIo } from './io.js';

export interface OptionDef {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help, e.g. `URL` in `--http-url URL`. */
  valueName?: string;
  help: string;
}

export interface PositionalDef {
  name: string;
  help: string;
}

/** What `run` receives: string options by name (booleans as true), positionals in order. */
export interface CommandInput {
  options: Readonly<Record<string, string | boolean | undefined>>;
  positionals: readonly string[];
}

export interface CommandDef {
  /** The words that name it: `['check']`, `['fluxra', 'register']`. */
  path: readonly string[];
  /** One line for the top-level help. */
  summary: string;
  /** What it does, for its own help: short paragraphs. */
  description: string;
  /** Its own options; `--config` and `--help` are added to every command. */
  options: Readonly<Record<string, OptionDef>>;
  /** Required positionals, in order (none is optional today). */
  positionals: readonly PositionalDef[];
  /** Exit codes as this command uses them, one line each. */
  exitCodes: readonly string[];
  /**
   * What it does. A command's file imports only light modules at the top and loads the
   * rest (discord.js, Bolt, the bridge) inside `run`: --help, --version and usage errors
   * then answer without loading them.
   */
  run: CommandRun;
}

export type CommandRun = (input: CommandInput, io: CliIo) => Promise<number>;

/** Options every command accepts. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionDef>> = {
  config: { type: 'string', valueName: 'FILE', help: 'Configuration file (default: $FLUXRA_BRIDGE_CONFIG, else config/bridge.json if present)' },
  help: { type: 'boolean', short: 'h', help: 'Show this help' },
};
