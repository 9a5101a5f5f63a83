/**
 * The slash commands the bridge offers with a given configuration: exactly the command
 * router's specs, read from the real composition root so that the Slack manifest and the
 * Discord registration can never list a command the running bridge would not answer.
 *
 * The bridge is built "dry" and never started: Redis is left out and the store is a
 * throwaway file, because which commands exist depends only on the configuration, and
 * printing a manifest must not touch the operator's store or shared Redis.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBridge } from '../app/bridge.js';
import type { LoadedConfig } from '../config/load.js';
import { silentLogger } from '../logger.js';
import type { CommandSpec } from '../platforms/types.js';

export interface OfferedCommands {
  specs: CommandSpec[];
  /** Configured command names (`commands.*`) that this configuration does not offer. */
  notOffered: string[];
}

export async function offeredCommands(loaded: LoadedConfig): Promise<OfferedCommands> {
  const dir = await mkdtemp(join(tmpdir(), 'fluxra-bridge-specs-'));
  try {
    const { redis, store, ...config } = loaded.config;
    // No Redis and a throwaway store: building the bridge must not touch shared state.
    const dry: LoadedConfig = { ...loaded, config: { ...config, redis: { ...redis, url: undefined }, store: { ...store, path: join(dir, 'specs.db') } } };
    const bridge = await createBridge(dry, { logger: silentLogger() });
    const specs = [...bridge.router.specs];
    await bridge.stop();
    const offered = new Set(specs.map((spec) => spec.name));
    const notOffered = Object.values(loaded.config.commands).filter((name) => !offered.has(name));
    return { specs, notOffered };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Why configured commands may be missing, for the note printed next to a manifest or a registration. */
export function notOfferedNote(notOffered: readonly string[]): string {
  const list = notOffered.map((name) => `/${name}`).join(', ');
  return (
    `note: ${list} ${notOffered.length === 1 ? 'is' : 'are'} not offered with this configuration and ${notOffered.length === 1 ? 'is' : 'are'} left out. ` +
    'The Fluxra commands need FLUXRA_AGENT_ID and FLUXRA_API_KEY (see "fluxra-bridge fluxra register"); ' +
    'agent sessions need BLOCKS_API_KEY. Set them, then run this again.'
  );
}
