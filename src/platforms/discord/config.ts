/**
 * Configuration of the Discord adapter: what the composition root passes in (the
 * `discord` config section plus the command specs), with defaults declared once.
 */

import type { CommandSpec } from '../../core/chat.js';
import { ConfigError, type ConfigProblem } from '../../core/errors.js';

export interface DiscordAdapterConfig {
  /** Bot token (secret: never logged). */
  token: string;
  /** Application id; learned from READY or `GET /applications/@me` when absent. */
  applicationId?: string;
  /** Register commands to this guild (instant) instead of globally. */
  guildId?: string;
  /** REST base without `/v10`, e.g. `https://discord.com/api`. */
  apiUrl: string;
  /** The commands we answer: maps interaction options to args in declared order. */
  commands: CommandSpec[];
  /** Retries of failed REST requests (5xx, network) by discord.js; 429s are always waited out. */
  restRetries?: number;
  /** discord.js's client-side cap on REST requests per second, webhooks included. */
  globalRequestsPerSecond?: number;
  /** Defer an interaction when the handler has not replied within this time (Discord allows 3 s). */
  deferAfterMs?: number;
  /** Name of the channel webhook used to post as agents. */
  webhookName?: string;
}

/** The defaults, declared once. */
export const DISCORD_DEFAULTS = {
  restRetries: 3,
  /** Discord's documented global limit per bot. */
  globalRequestsPerSecond: 50,
  deferAfterMs: 2_000,
  webhookName: 'fluxra-bridge',
  /** Discord's hard limit on `content`. */
  maxMessageLength: 2_000,
  /** How long a webhook permission refusal is remembered before we try again. */
  webhookRetryAfterMs: 10 * 60_000,
  /** Interaction tokens are valid for 15 minutes. */
  interactionLifetimeMs: 15 * 60_000,
} as const;

export type ResolvedDiscordConfig = DiscordAdapterConfig & {
  restRetries: number;
  globalRequestsPerSecond: number;
  deferAfterMs: number;
  webhookName: string;
};

/** Validates and fills defaults; every problem is reported at once. */
export function resolveDiscordConfig(config: DiscordAdapterConfig): ResolvedDiscordConfig {
  const problems: ConfigProblem[] = [];
  if (!config.token || config.token.length < 20) problems.push({ key: 'discord.token', found: config.token ? 'a short value' : 'nothing', expected: 'a bot token' });
  if (!/^https?:\/\/[^/]+/.test(config.apiUrl ?? '')) problems.push({ key: 'discord.apiUrl', found: String(config.apiUrl), expected: 'an http(s) URL without /v10' });
  else if (/\/v\d+\/?$/.test(config.apiUrl)) problems.push({ key: 'discord.apiUrl', found: config.apiUrl, expected: 'the REST base without the version (discord.js adds /v10)' });
  const deferAfterMs = config.deferAfterMs ?? DISCORD_DEFAULTS.deferAfterMs;
  if (!Number.isFinite(deferAfterMs) || deferAfterMs < 0 || deferAfterMs > 2_800) {
    problems.push({
      key: 'discord.deferAfterMs',
      found: String(config.deferAfterMs),
      expected: 'milliseconds between 0 and 2800 (Discord drops unanswered interactions after 3 s)',
    });
  }
  const globalRequestsPerSecond = config.globalRequestsPerSecond ?? DISCORD_DEFAULTS.globalRequestsPerSecond;
  if (!Number.isInteger(globalRequestsPerSecond) || globalRequestsPerSecond < 1) {
    problems.push({ key: 'discord.globalRequestsPerSecond', found: String(config.globalRequestsPerSecond), expected: 'a whole number of requests per second, at least 1' });
  }
  const names = new Set<string>();
  for (const spec of config.commands ?? []) {
    if (names.has(spec.name)) problems.push({ key: `commands.${spec.name}`, found: 'a duplicate', expected: 'unique command names' });
    names.add(spec.name);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...config,
    commands: config.commands ?? [],
    restRetries: config.restRetries ?? DISCORD_DEFAULTS.restRetries,
    globalRequestsPerSecond,
    deferAfterMs,
    webhookName: config.webhookName ?? DISCORD_DEFAULTS.webhookName,
  };
}
