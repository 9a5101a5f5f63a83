/**
 * Readiness of the Blocks API key, read from the last answer Blocks gave (every answer is
 * seen by the HTTP observer). A probe costs one request of the key's 100 a minute, so one
 * is sent only when Blocks has not answered for `staleAfterMs` (or never since start): an
 * orchestrator probing /readyz every few seconds spends at most one request per period.
 */
import type { HttpOutcome } from '../metrics/http-observer.js';
import type { ReadinessCheck } from './server.js';

export interface BlocksKeyStateOptions {
  /** One cheap Blocks request (through the budget); its answer reaches `record` through the observer. */
  probe(): Promise<unknown>;
  /** How old the last answer may be before a probe is sent. Default 5 minutes. */
  staleAfterMs?: number;
  /** The same for a failing answer, so that readiness comes back soon after Blocks does. Default 30 s. */
  failureStaleAfterMs?: number;
  now?: () => number;
}

export interface BlocksKeyState {
  /** Every Blocks answer (from the HTTP observer). */
  record(outcome: HttpOutcome): void;
  readonly check: ReadinessCheck;
}

export const BLOCKS_KEY_STALE_AFTER_MS = 5 * 60_000;
/** The probe asks for a session no one has (a valid UUID): 404 means the key was accepted. */
export const BLOCKS_PROBE_SESSION_ID = '00000000-0000-4000-8000-000000000000';
/** A failing answer is looked at again sooner, so that readiness comes back soon after Blocks does. */
export const BLOCKS_KEY_FAILURE_STALE_AFTER_MS = 30_000;

/** Why the answer makes the key not ready, or undefined when it shows the key works. */
export function blocksKeyProblem(outcome: HttpOutcome): string | undefined {
  if (outcome.kind === 'network') return `Blocks is unreachable (${outcome.code})`;
  if (outcome.status === 401 || outcome.status === 403) return `Blocks refused the API key (HTTP ${outcome.status}): check BLOCKS_API_KEY`;
  if (outcome.status >= 500) return `Blocks is failing (HTTP ${outcome.status})`;
  // 2xx, and 4xx about the request itself (404 for a session that does not exist, 429): the key was accepted.
  return undefined;
}

export function createBlocksKeyState(options: BlocksKeyStateOptions): BlocksKeyState {
  const now = options.now ?? Date.now;
  const staleAfterMs = options.staleAfterMs ?? BLOCKS_KEY_STALE_AFTER_MS;
  const failureStaleAfterMs = options.failureStaleAfterMs ?? BLOCKS_KEY_FAILURE_STALE_AFTER_MS;
  let last: { outcome: HttpOutcome; at: number } | undefined;
  let probing: Promise<void> | undefined;

  const probeOnce = (): Promise<void> => {
    // Concurrent readiness requests share one probe.
    probing ??= options
      .probe()
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        probing = undefined;
      });
    return probing;
  };

  return {
    record(outcome) {
      last = { outcome, at: now() };
    },
    async check() {
      const failing = last !== undefined && blocksKeyProblem(last.outcome) !== undefined;
      const maxAge = failing ? Math.min(staleAfterMs, failureStaleAfterMs) : staleAfterMs;
      if (last === undefined || now() - last.at > maxAge) await probeOnce();
      if (last === undefined) throw new Error('Blocks has not answered yet');
      const problem = blocksKeyProblem(last.outcome);
      if (problem !== undefined) throw new Error(problem);
    },
  };
}
