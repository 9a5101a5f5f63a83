/**
 * The chat commands the configuration allows and the router in front of them: /block (with
 * Fluxra), /bridge (with Fluxra or agent sessions, for whichever halves exist) and /agent
 * (with agent sessions). The order here is the order the platforms list them in.
 */
import { createAgentCommand } from '../commands/agent.js';
import { createBlockCommand } from '../commands/block.js';
import { createBridgeCommand } from '../commands/bridge.js';
import { LINK_STATUS_KV } from '../commands/bridge-link-status.js';
import { channelLinksFromStore } from '../commands/channel-links.js';
import { createPermissions } from '../commands/permissions.js';
import { type CommandRouter, createCommandRouter } from '../commands/router.js';
import type { CommandHandler } from '../commands/types.js';
import type { BridgeConfig } from '../config/schema.js';
import type { ChannelRef } from '../core/chat.js';
import type { AdapterDirectory } from '../core/consumer.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { channelDeadLetters } from '../delivery/sections.js';
import type { BlocksClient } from '../services/blocks/index.js';
import type { FluxraClient } from '../services/fluxra/index.js';
import type { SessionEngine } from '../sessions/engine.js';
import type { Store } from '../store/index.js';
import type { LinksChangedListener } from './link-changes.js';
import type { TenancyParts } from './tenancy.js';

export interface CommandsParts {
  store: Store;
  fluxra: FluxraClient | undefined;
  /** The agent session engine and the Blocks client it works with (only with Blocks). */
  agentSessions: { engine: SessionEngine; blocks: BlocksClient } | undefined;
  onLinksChanged: LinksChangedListener;
  /** Owners, share codes, block makers and the allow-lists (issue 14). */
  tenancy: TenancyParts;
  /** The platforms, once they exist: for the public notices of `/block`. */
  adapters: AdapterDirectory;
  logger: Logger;
}

/** Posts `text` in each channel, best effort: the notice is a courtesy, the block is done. */
function announcer(adapters: AdapterDirectory, logger: Logger): (channels: ChannelRef[], text: string) => Promise<void> {
  return async (channels, text) => {
    for (const channel of channels) {
      try {
        await adapters.get(channel.platform)?.post(channel, { text });
      } catch (error) {
        logger.warn({ platform: channel.platform, channelId: channel.channelId, err: describeError(error) }, 'could not post a block notice');
      }
    }
  };
}

export function createCommands(config: Readonly<BridgeConfig>, parts: CommandsParts): CommandRouter {
  const { store, fluxra, agentSessions, onLinksChanged, tenancy, logger } = parts;
  const sessions = agentSessions?.engine;
  const handlers: CommandHandler<never>[] = [];
  if (fluxra && config.fluxra.agentId) {
    const channelLinks = channelLinksFromStore(store.links);
    handlers.push(
      createBlockCommand({
        name: config.commands.block,
        fluxra,
        channelLinks,
        linkPauses: channelLinks,
        onLinksChanged,
        scope: { tenancy: tenancy.tenancy, makers: tenancy.makers, links: store.links },
        announce: announcer(parts.adapters, logger),
      }) as CommandHandler<never>,
    );
  } else {
    logger.warn('Fluxra credentials are not configured: /%s and the Fluxra links of /%s are not offered', config.commands.block, config.commands.bridge);
  }
  // /bridge is registered after /block and before /agent; its agent half needs the session engine,
  // which is why that engine is made before the commands.
  if ((fluxra && config.fluxra.agentId) || sessions) {
    const bridgeCommand = createBridgeCommand({
      name: config.commands.bridge,
      blockCommandName: config.commands.block,
      agentId: config.fluxra.agentId ?? '',
      fluxra: fluxra && config.fluxra.agentId ? fluxra : undefined,
      links: store.links,
      cursors: store.cursors,
      linkStatus: store.kv(LINK_STATUS_KV),
      deadLettersOf: (channel) => channelDeadLetters(store.deadLetters, channel),
      onLinksChanged,
      tenancy: { tenancy: tenancy.tenancy, owners: tenancy.owners, shareCodes: tenancy.shareCodes },
      // Channels bound to an agent (issue 8): `/bridge link agent`, `/bridge unlink agent`, status.
      ...(sessions ? { agents: { control: sessions.channels, agentCommand: config.commands.agent, mode: config.sessions.boundChannelMode } } : {}),
    });
    handlers.push(bridgeCommand as CommandHandler<never>);
  }
  if (agentSessions) {
    const { engine, blocks } = agentSessions;
    handlers.push(
      createAgentCommand({
        name: config.commands.agent,
        bridgeCommandName: config.commands.bridge,
        engine,
        resolveAgent: (name) => blocks.resolveAgent(name),
      }) as CommandHandler<never>,
    );
  } else {
    logger.warn('Blocks is not configured: /%s and agent mentions are not offered', config.commands.agent);
  }
  return createCommandRouter({
    handlers,
    permissions: createPermissions(config.permissions),
    dedupe: store.dedupe,
    logger: logger.child({ component: 'commands' }),
    unavailable: unavailableAnswers(config, handlers),
  });
}

/** What a configured command that is not offered answers (see `CommandRouterOptions.unavailable`). */
export function unavailableAnswers(config: Readonly<BridgeConfig>, handlers: ReadonlyArray<{ name: string }>): Record<string, string> {
  const offered = new Set(handlers.map((handler) => handler.name));
  const needs: Record<string, string> = {
    [config.commands.block]: 'the Fluxra credentials (FLUXRA_AGENT_ID and FLUXRA_API_KEY)',
    [config.commands.bridge]: 'the Fluxra credentials or a Blocks key',
    [config.commands.agent]: 'a Blocks key (BLOCKS_API_KEY)',
  };
  const answers: Record<string, string> = {};
  for (const [name, what] of Object.entries(needs)) {
    if (!offered.has(name)) answers[name] = `/${name} is not set up on this bridge yet: it needs ${what}. Tell whoever runs the bridge.`;
  }
  return answers;
}
