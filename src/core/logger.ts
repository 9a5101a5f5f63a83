/**
 * Structured logging (pino JSON). Secrets are removed twice: known secret fields by path
 * (`redact`), and token-shaped strings anywhere in the message text or error messages by
 * `redactSecrets`, because upstream error bodies sometimes echo a credential back.
 *
 * Output is JSON lines, one per event, for log collectors; when stdout is a terminal (a
 * person running the bridge by hand) it goes through pino-pretty instead. pino-pretty runs
 * as a pino transport (a worker thread) and only then: the JSON path never loads it.
 */
import { randomBytes } from 'node:crypto';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { redactSecrets } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerConfig {
  level: string;
  /** Defaults to stdout. Tests pass a stream to read the real output. */
  destination?: DestinationStream;
  /**
   * Human-readable output through pino-pretty. Default: when stdout is a TTY and no
   * `destination` was given. Redaction applies before either output.
   */
  pretty?: boolean;
}

/** The pino-pretty transport: colours, local time, without the fields a person never reads. */
const PRETTY_TRANSPORT = {
  target: 'pino-pretty',
  options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: false },
} as const;

/**
 * A short id for one inbound event or command, put in a child logger (`reqId`) so that
 * every line about that request can be found together.
 */
export function newRequestId(): string {
  return randomBytes(6).toString('hex');
}

const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers.cookie',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.access_token',
  '*.recovery_key',
  '*.password',
  '*.jwt',
  'apiKey',
  'botToken',
  'appToken',
  'signingSecret',
  'password',
  'jwt',
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
  const pretty = config.pretty ?? (config.destination === undefined && process.stdout.isTTY === true);
  const options: LoggerOptions = {
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
  };
  if (pretty && config.destination === undefined) return pino({ ...options, transport: PRETTY_TRANSPORT });
  return pino(options, config.destination);
}

/** A logger that writes nothing, for library code used without one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
