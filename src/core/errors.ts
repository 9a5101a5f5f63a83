/**
 * The bridge's error family. Every error we raise carries a stable string `code`
 * (for logs, metrics and branching), whether a retry may succeed, and the cause.
 * Messages never contain secrets: anything that came from the wire goes through
 * `redactSecrets` before it lands in a message.
 */
import { redactSecrets } from './redact.js';

export interface BridgeErrorOptions {
  retryable?: boolean;
  cause?: unknown;
}

export class BridgeError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: BridgeErrorOptions = {}) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** One problem found in the configuration: the key, what was there, what is expected. */
export interface ConfigProblem {
  key: string;
  found: string;
  expected: string;
}

/** Raised once at start-up with every configuration problem listed. */
export class ConfigError extends BridgeError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.key}: found ${p.found}; expected ${p.expected}`);
    super('CONFIG_INVALID', `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.problems = problems;
  }
}

export type UpstreamService = 'fluxra' | 'blocks' | 'slack' | 'discord' | 'redis' | 'store';

export interface UpstreamErrorDetails extends BridgeErrorOptions {
  service: UpstreamService;
  /** HTTP status, or 0 when no response arrived (connection refused, timeout, reset). */
  status: number;
  method: string;
  /** The request URL with its query string removed (queries may carry cursors, never secrets, but stay short). */
  url: string;
  /** The body of the error response, truncated and redacted: for logs, not for people. */
  detail?: string;
}

/** An HTTP API answered with an error, or could not be reached. */
export class UpstreamError extends BridgeError {
  readonly service: UpstreamService;
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly detail: string | undefined;

  constructor(code: string, message: string, details: UpstreamErrorDetails) {
    super(code, message, details);
    this.service = details.service;
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.detail = details.detail === undefined ? undefined : redactSecrets(details.detail);
  }
}

/** The upstream answered 429 (or we know its budget is spent): wait `retryAfterMs` before trying again. */
export class RateLimitedError extends UpstreamError {
  readonly retryAfterMs: number;
  /** True when the server sent Retry-After; false when `retryAfterMs` is our own backoff. */
  readonly retryAfterFromServer: boolean;

  constructor(message: string, details: UpstreamErrorDetails & { retryAfterMs: number; retryAfterFromServer: boolean }) {
    super('RATE_LIMITED', message, { ...details, retryable: true });
    this.retryAfterMs = details.retryAfterMs;
    this.retryAfterFromServer = details.retryAfterFromServer;
  }
}

/** Something a person typed is not acceptable. The message is written for that person. */
export class UserInputError extends BridgeError {
  constructor(message: string, code = 'USER_INPUT') {
    super(code, message);
  }
}

/** Short, single-line description of any thrown value, safe for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redactSecrets(`${error.name}: ${error.message}`);
  return redactSecrets(String(error));
}
