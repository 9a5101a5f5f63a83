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
import type { CommandSpec } from '../core/chat.js';
import { silentLogger } from '../core/logger.js';

export interface OfferedCommands {
  specs: CommandSpec[];
  /** Configured command names (`commands.*`) that this configuration does not offer. */
  notOffered: string[];
}

/**
 * Stand-ins for absent upstream credentials, for a dry build that offers every command. They
 * never leave this process: the dry bridge is never started, so nothing is sent anywhere.
 */
const PLACEHOLDER = { fluxraAgentId: 'agt_not_configured', fluxraApiKey: 'not-configured', blocksApiKey: 'not-configured' } as const;

export interface OfferedCommandsOptions {
  /**
   * List the commands as if Fluxra and Blocks were both configured (the Slack manifest: a
   * Slack app is created once, so it carries every command whatever the setup order).
   */
  everyCommand?: boolean;
}

export async function offeredCommands(loaded: LoadedConfig, options: OfferedCommandsOptions = {}): Promise<OfferedCommands> {
  const dir = await mkdtemp(join(tmpdir(), 'fluxra-bridge-specs-'));
  try {
    const { redis, store, fluxra, blocks, ...config } = loaded.config;
    const every = options.everyCommand === true;
    // No Redis and a throwaway store: building the bridge must not touch shared state.
    const dry: LoadedConfig = {
      ...loaded,
      enabled: every ? { ...loaded.enabled, fluxra: true, blocks: true } : loaded.enabled,
      config: {
        ...config,
        fluxra: every && !loaded.enabled.fluxra ? { ...fluxra, agentId: PLACEHOLDER.fluxraAgentId, apiKey: PLACEHOLDER.fluxraApiKey } : fluxra,
        blocks: every && !loaded.enabled.blocks ? { ...blocks, apiKey: PLACEHOLDER.blocksApiKey } : blocks,
        redis: { ...redis, url: undefined },
        store: { ...store, path: join(dir, 'specs.db') },
      },
    };
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

/**
 * Which commands of a manifest that lists them all wait for credentials not set yet, one
 * line each (empty when everything is configured). Pure: from `enabled` and the names.
 */
export function credentialNotes(loaded: Pick<LoadedConfig, 'config' | 'enabled'>): string[] {
  const { commands } = loaded.config;
  const notes: string[] = [];
  if (!loaded.enabled.fluxra) {
    notes.push(
      `/${commands.block} and the conversation links of /${commands.bridge} answer once FLUXRA_AGENT_ID and FLUXRA_API_KEY are set (see "fluxra-bridge fluxra register").`,
    );
  }
  if (!loaded.enabled.blocks) {
    notes.push(`/${commands.agent}, @mentions of the bot and "/${commands.bridge} link agent" answer once BLOCKS_API_KEY is set.`);
  }
  return notes;
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
