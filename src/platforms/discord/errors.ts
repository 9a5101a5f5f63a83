/**
 * Maps discord.js REST failures to the bridge's error family. URLs of webhook and
 * interaction routes carry a token in the path: it is cut out before anything is kept, and
 * the discord.js error is not kept as `cause` because its `url` still holds the token.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { BridgeError, describeError, RateLimitedError, UpstreamError } from '../../core/errors.js';

/** Discord JSON error codes we branch on. */
export const DiscordErrorCode = {
  UnknownChannel: 10003,
  UnknownMessage: 10008,
  UnknownWebhook: 10015,
  UnknownInteraction: 10062,
  MissingAccess: 50001,
  MissingPermissions: 50013,
  InteractionAlreadyAcknowledged: 40060,
  ThreadAlreadyCreated: 160004,
} as const;

/** The URL without query and with webhook/interaction tokens replaced. */
export function scrubDiscordUrl(url: string): string {
  return url
    .split('?')[0]!
    .replace(/(\/webhooks\/\d+\/)[^/]+/, '$1[REDACTED]')
    .replace(/(\/interactions\/\d+\/)[^/]+/, '$1[REDACTED]');
}

/** The Discord JSON error code of a failure, when it has one. */
export function discordErrorCode(error: unknown): number | undefined {
  return error instanceof DiscordAPIError && typeof error.code === 'number' ? error.code : undefined;
}

/** Wraps any failure of a Discord call as an `UpstreamError` (or `RateLimitedError`). */
export function toDiscordError(error: unknown, action: string): BridgeError {
  if (error instanceof BridgeError) return error;
  if (error instanceof RateLimitError) {
    return new RateLimitedError(`Discord rate limit while trying to ${action}`, {
      service: 'discord',
      status: 429,
      method: error.method,
      url: scrubDiscordUrl(error.url),
      retryAfterMs: error.retryAfter,
      retryAfterFromServer: true,
    });
  }
  if (error instanceof DiscordAPIError || error instanceof HTTPError) {
    const code = error instanceof DiscordAPIError ? error.code : undefined;
    const status = error.status;
    return new UpstreamError('DISCORD_API_ERROR', `Discord answered ${status}${code === undefined ? '' : ` (code ${code})`} while trying to ${action}`, {
      service: 'discord',
      status,
      method: error.method,
      url: scrubDiscordUrl(error.url),
      detail: error.message.slice(0, 500),
      retryable: status >= 500,
    });
  }
  return new UpstreamError('DISCORD_UNREACHABLE', `Discord could not be reached while trying to ${action}: ${describeError(error)}`, {
    service: 'discord',
    status: 0,
    method: 'UNKNOWN',
    url: '',
    retryable: true,
    cause: error,
  });
}
