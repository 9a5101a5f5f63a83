/**
 * What the bridge cannot run without: at least one chat platform (Slack or Discord) and at
 * least one upstream (Fluxra or Blocks). Without either it would run forever doing nothing
 * and report itself ready, so `start` refuses it (exit 2), naming what is missing in one line;
 * `check` refuses a configuration with nothing at all. Pure: from the loaded configuration.
 */
import type { LoadedConfig } from '../config/load.js';

type Essentials = Pick<LoadedConfig, 'config' | 'enabled'>;

/**
 * The Slack secrets of the configured mode (a half-set Slack or Fluxra never gets here: the
 * configuration check refuses it first, naming the missing half).
 */
const slackNeeds = (loaded: Essentials): string => `SLACK_BOT_TOKEN and ${loaded.config.slack.mode === 'socket' ? 'SLACK_APP_TOKEN' : 'SLACK_SIGNING_SECRET'}`;

const NO_PLATFORM = (loaded: Essentials): string => `no chat platform is configured: set ${slackNeeds(loaded)} for Slack, or DISCORD_TOKEN for Discord`;
const NO_UPSTREAM = (): string => `nothing to bridge to: set FLUXRA_AGENT_ID and FLUXRA_API_KEY for Fluxra, or BLOCKS_API_KEY for Blocks agents`;

/** The one line `start` exits 2 with, or undefined when the bridge has something to do. */
export function missingToStart(loaded: Essentials): string | undefined {
  const { slack, discord, fluxra, blocks } = loaded.enabled;
  const problems = [...(slack || discord ? [] : [NO_PLATFORM(loaded)]), ...(fluxra || blocks ? [] : [NO_UPSTREAM()])];
  return problems.length === 0 ? undefined : `${problems.join('; ')} (see .env.example)`;
}

/** The one line `check` exits 2 with when not a single part has credentials, else undefined. */
export function nothingConfigured(loaded: Essentials): string | undefined {
  const { slack, discord, fluxra, blocks } = loaded.enabled;
  if (slack || discord || fluxra || blocks) return undefined;
  return `nothing is configured: no Slack, Discord, Fluxra or Blocks credentials in the environment (see .env.example)`;
}
