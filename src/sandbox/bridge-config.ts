/**
 * The bridge's configuration in the sandbox: the production schema and loader, pointed at
 * the simulators on loopback, with the invented secrets passed as its environment (never
 * the process's own, so that a developer's real tokens cannot leak into the sandbox).
 * The file is written to the data dir so that a visitor can see what the bridge runs with.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import { DISCORD_APPLICATION_ID, DISCORD_GUILD_ID, SANDBOX_SECRETS } from './identities.js';
import type { SandboxWorld } from './world.js';

export function sandboxBridgeConfig(world: SandboxWorld, dataDir: string): LoadedConfig {
  const config = {
    fluxra: { baseUrl: world.fluxra.url },
    blocks: { baseUrl: world.blocks.url },
    // One organisation: the simulated workspace and server link each other's conversations without share codes.
    slack: { mode: 'socket', apiUrl: world.slack.apiUrl, allowedTeamIds: [world.slack.teamId] },
    discord: { apiUrl: world.discord.apiUrl, guildId: DISCORD_GUILD_ID, applicationId: DISCORD_APPLICATION_ID, allowedGuildIds: [DISCORD_GUILD_ID] },
    store: { path: resolve(dataDir, 'bridge.db') },
    // The sandbox shows its own page; the health server only needs a free loopback port.
    health: { port: 0, host: '127.0.0.1' },
    // Quicker than production so that a visitor sees answers within a second or two; the
    // simulators have no rate limit of their own to protect except Blocks', which the budget keeps.
    mirror: { pollIntervalMs: 1_000, idlePollIntervalMs: 2_000 },
    sessions: { pollIntervalMs: 1_500, maxPollIntervalMs: 10_000 },
    log: { level: 'info' },
  };
  const path = join(dataDir, 'bridge.json');
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return loadConfig({
    path,
    env: {
      FLUXRA_AGENT_ID: world.bridgeAgent.agentId,
      FLUXRA_API_KEY: world.bridgeAgent.apiKey,
      BLOCKS_API_KEY: SANDBOX_SECRETS.blocksApiKey,
      SLACK_BOT_TOKEN: SANDBOX_SECRETS.slackBotToken,
      SLACK_APP_TOKEN: SANDBOX_SECRETS.slackAppToken,
      DISCORD_TOKEN: SANDBOX_SECRETS.discordToken,
    },
  });
}
