/**
 * Structured logging (pino JSON). Secrets are removed twice: known secret fields by path
 * (`redact`), and token-shaped strings anywhere in the message text or error messages by
 * `redactSecrets`, because upstream error bodies sometimes echo a credential back.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { redactSecrets } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerConfig {
  level: string;
  /** Defaults to stdout. Tests pass a stream to read the real output. */
  destination?: DestinationStream;
}

const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.access_token',
  '*.recovery_key',
  'apiKey',
  'token',
  'access_token',
  'recovery_key',
];

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: redactSecrets(value.message), code: (value as { code?: unknown }).code, stack: value.stack ? redactSecrets(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) out[key] = scrub(child, depth + 1);
  return out;
}

export function createLogger(config: LoggerConfig): Logger {
  return pino(
    {
      level: config.level,
      base: { service: 'fluxra-bridge' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: {
        log: (object) => scrub(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    config.destination,
  );
}

/** A logger that writes nothing, for library code used without one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
