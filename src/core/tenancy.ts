/**
 * Who is who across the bridge's trust boundary. A "place" is a Slack workspace or a Discord
 * guild. With `slack.allowedTeamIds` / `discord.allowedGuildIds` set, only the listed places
 * are served, and together they are one organisation: one tenant, whose channels link to
 * each other's conversations freely. Without a list, every place of that platform is a
 * tenant of its own (a Discord bot is public by default: any server may add it).
 *
 * Places are recorded (conversation owners, block makers, links), tenants are computed from
 * them with the current configuration, so turning an allow-list on later merges the listed
 * places without rewriting anything.
 */

import type { PlatformName } from './chat.js';
import type { Logger } from './logger.js';
import { showInput } from './text.js';

export interface TenancyConfig {
  /** `slack.allowedTeamIds`; undefined: every workspace is served, each its own tenant. */
  slackAllowedTeamIds?: readonly string[] | undefined;
  /** `discord.allowedGuildIds`; undefined: every guild is served, each its own tenant. */
  discordAllowedGuildIds?: readonly string[] | undefined;
}

/** A workspace or guild, as recorded in the store. */
export interface Place {
  platform: PlatformName;
  /** Slack `team_id` or Discord guild id; undefined when the platform did not say. */
  placeId?: string | undefined;
}

/** The tenant of every allow-listed place. */
export const ORGANISATION_TENANT = 'organisation';

function allowList(config: TenancyConfig, platform: PlatformName): readonly string[] | undefined {
  return platform === 'slack' ? config.slackAllowedTeamIds : config.discordAllowedGuildIds;
}

/** True when the platform has an allow-list configured. */
export function hasAllowList(config: TenancyConfig, platform: PlatformName): boolean {
  return allowList(config, platform) !== undefined;
}

/**
 * Is the place served? Without a list, yes. With one, only listed places; an event without a
 * place (the bridge's own history reads) is served, since only linked channels are read.
 */
export function isPlaceAllowed(config: TenancyConfig, place: Place): boolean {
  const list = allowList(config, place.platform);
  if (list === undefined || place.placeId === undefined) return true;
  return list.includes(place.placeId);
}

/** The tenant a place belongs to: the organisation when listed, else the place itself. */
export function tenantOf(config: TenancyConfig, place: Place): string {
  const list = allowList(config, place.platform);
  if (list !== undefined && place.placeId !== undefined && list.includes(place.placeId)) return ORGANISATION_TENANT;
  return `${place.platform}:${place.placeId ?? 'unknown'}`;
}

/** True when both places are one tenant. */
export function sameTenant(config: TenancyConfig, a: Place, b: Place): boolean {
  return tenantOf(config, a) === tenantOf(config, b);
}

/** "the organisation", "Slack workspace `T…`", "Discord server `1…`": for admins' lists. */
export function describeTenant(config: TenancyConfig, place: Place): string {
  if (tenantOf(config, place) === ORGANISATION_TENANT) return 'the organisation';
  const id = showInput(place.placeId ?? 'unknown', 32);
  return place.platform === 'slack' ? `Slack workspace ${id}` : `Discord server ${id}`;
}

/**
 * What `check` and the start-up log say about a platform without an allow-list: each of its
 * places is a tenant of its own, and any server that adds a Discord bot can use it.
 */
export function tenancyWarnings(config: TenancyConfig, platforms: readonly PlatformName[]): string[] {
  const warnings: string[] = [];
  if (platforms.includes('discord') && config.discordAllowedGuildIds === undefined) {
    warnings.push('discord.allowedGuildIds is not set: every Discord server that adds the bot is served, each as a tenant of its own');
  }
  if (platforms.includes('slack') && config.slackAllowedTeamIds === undefined) {
    warnings.push('slack.allowedTeamIds is not set: every Slack workspace is served, each as a tenant of its own');
  }
  return warnings;
}

/** Drops events from places that are not allowed; logs each unknown place once. */
export interface PlaceGate {
  /** True when the event's place is served; false (and one log line per new place) when not. */
  admits(place: Place): boolean;
}

/** Bound on remembered unknown places, so that a flood of guilds cannot grow it forever. */
const MAX_REMEMBERED_PLACES = 1_000;

export function createPlaceGate(config: TenancyConfig, logger: Logger): PlaceGate {
  const logged = new Set<string>();
  return {
    admits(place) {
      if (isPlaceAllowed(config, place)) return true;
      const key = `${place.platform}:${place.placeId ?? ''}`;
      if (!logged.has(key) && logged.size < MAX_REMEMBERED_PLACES) {
        logged.add(key);
        logger.warn(
          { platform: place.platform, placeId: place.placeId },
          `ignoring events and commands from ${place.platform === 'slack' ? 'a Slack workspace' : 'a Discord server'} that is not on the allow-list`,
        );
      }
      return false;
    },
  };
}
