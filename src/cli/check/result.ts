/** One line of `fluxra-bridge check`: a part, whether it works, and what to do when it does not. */
import { redactSecrets } from '../../core/redact.js';

/** `warning`: works, but something an operator should know (not counted as failing). */
export type CheckStatus = 'ok' | 'failed' | 'not-configured' | 'warning';

export interface CheckResult {
  /** Short and stable, e.g. `blocks key`: scripts may grep for it. */
  part: string;
  status: CheckStatus;
  /** What was found: the answer, or the reason it failed. */
  detail: string;
  /** For a failure or a missing part: what to do. */
  hint?: string;
}

export const ok = (part: string, detail: string): CheckResult => ({ part, status: 'ok', detail });
export const failed = (part: string, detail: string, hint?: string): CheckResult => ({ part, status: 'failed', detail, ...(hint ? { hint } : {}) });
export const warning = (part: string, detail: string, hint?: string): CheckResult => ({ part, status: 'warning', detail, ...(hint ? { hint } : {}) });
export const notConfigured = (part: string, hint: string): CheckResult => ({ part, status: 'not-configured', detail: 'not configured', hint });

/** An error's own message: our errors already name the request and the status, and are redacted. */
export function reasonOf(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
