/**
 * Secret redaction for anything that may reach a log line or an error message.
 *
 * Two layers: known secret values registered at start-up (the configured tokens and
 * keys, whatever their shape) are replaced wherever they appear, and well-known token
 * shapes (Slack tokens, Fluxra keys, JWTs, Authorization header values) are masked even
 * when we never saw them before, e.g. a token echoed back in an upstream error body.
 */

const REDACTED = '[REDACTED]';

const knownSecrets = new Set<string>();

/** Registers configured secret values so that they are masked wherever they appear. */
export function registerSecret(value: string | undefined): void {
  // Very short values would mask ordinary words; nothing real is that short.
  if (value && value.length >= 8) knownSecrets.add(value);
}

const SECRET_PATTERNS: readonly RegExp[] = [
  // Authorization header values: Bearer/Basic/ApiKey/Bot followed by a credential.
  /\b(Bearer|Basic|ApiKey|Bot)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  // Slack tokens (bot, user, app-level, config, refresh).
  /\bxox[abposre]-[A-Za-z0-9_-]{6,}/g,
  /\bxapp-[A-Za-z0-9-]{6,}/g,
  // Fluxra API keys and recovery keys.
  /\b(sk|rk)_[A-Za-z0-9_-]{6,}/g,
  // JWTs: three base64url segments, the first starting with eyJ ('{"').
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  // Discord bot tokens: three dot-separated base64url segments.
  /\b[MNO][A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}/g,
  // Discord webhook and interaction tokens live in URL paths: /webhooks/<id>/<token>.
  /(\/webhooks\/\d+\/)[A-Za-z0-9._-]{20,}/g,
  // Secrets passed as query parameters or JSON fields.
  /((?:api_key|apikey|token|access_token|recovery_key|secret|password)["']?\s*[:=]\s*["']?)[^"'&\s,}]{4,}/gi,
];

/** Returns `text` with every known secret and every token-shaped string masked. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix: unknown) => {
      if (typeof prefix === 'string' && match.startsWith(prefix) && /[:=]\s*["']?$/.test(prefix)) return `${prefix}${REDACTED}`;
      if (typeof prefix === 'string' && /^(Bearer|Basic|ApiKey|Bot)$/.test(prefix)) return `${prefix} ${REDACTED}`;
      if (typeof prefix === 'string' && prefix.startsWith('/webhooks/')) return `${prefix}${REDACTED}`;
      return REDACTED;
    });
  }
  return out;
}

/** Header names whose values are always secret. */
export const SECRET_HEADER_NAMES: ReadonlySet<string> = new Set(['authorization', 'x-api-key', 'cookie', 'set-cookie']);
