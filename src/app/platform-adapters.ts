/**
 * The chat platforms that have credentials, each given the commands to offer: Slack, and
 * Discord (restartable, for the leader's gateway). `discord` is the Discord one again, for
 * the composition root to start on the leader only.
 */

import { restartableAdapter } from '../cluster/restartable-adapter.js';
import type { LoadedConfig } from '../config/load.js';
import type { ChatAdapter, CommandSpec } from '../core/chat.js';
import type { Logger } from '../core/logger.js';
import type { BridgeMetrics } from '../metrics/registry.js';
import { createDiscordAdapter, type DiscordAdapter } from '../platforms/discord/index.js';
import { createSlackAdapter } from '../platforms/slack/index.js';

export interface PlatformAdapters {
  readonly adapters: ChatAdapter[];
  readonly discord: DiscordAdapter | undefined;
}

export interface PlatformAdaptersDeps {
  /** The router's command specs. */
  commands: readonly CommandSpec[];
  logger: Logger;
  metrics: BridgeMetrics;
}

export function createPlatformAdapters(loaded: LoadedConfig, deps: PlatformAdaptersDeps): PlatformAdapters {
  const { config, enabled } = loaded;
  const { commands, logger, metrics } = deps;
  const adapters: ChatAdapter[] = [];
  let discord: DiscordAdapter | undefined;
  if (enabled.slack && config.slack.botToken) {
    adapters.push(
      createSlackAdapter(
        {
          botToken: config.slack.botToken,
          ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
          ...(config.slack.signingSecret ? { signingSecret: config.slack.signingSecret } : {}),
          mode: config.slack.mode,
          port: config.slack.port,
          apiUrl: config.slack.apiUrl,
          // Every configured name, offered or not: the Slack app's manifest lists them all, and
          // a command without its credentials still gets an answer that says what it needs.
          commandNames: [...new Set([...commands.map((spec) => spec.name), ...Object.values(config.commands)])],
          ...(config.slack.assistant.enabled ? { assistant: { prompts: config.slack.assistant.prompts, allowedTeamIds: config.slack.allowedTeamIds } } : {}),
        },
        { logger: logger.child({ component: 'slack' }), metrics },
      ),
    );
  }
  if (enabled.discord && config.discord.token) {
    // Restartable: a replica that loses the lead stops its gateway and may lead again later.
    const discordToken = config.discord.token;
    discord = restartableAdapter(() =>
      createDiscordAdapter(
        {
          token: discordToken,
          ...(config.discord.applicationId ? { applicationId: config.discord.applicationId } : {}),
          ...(config.discord.guildId ? { guildId: config.discord.guildId } : {}),
          apiUrl: config.discord.apiUrl,
          globalRequestsPerSecond: config.discord.globalRequestsPerSecond,
          commands: [...commands],
        },
        { logger: logger.child({ component: 'discord' }), metrics },
      ),
    );
    adapters.push(discord);
  }
  if (adapters.length === 0) logger.warn('no chat platform has credentials: nothing to bridge (see the README, Configuration)');
  return { adapters, discord };
}
