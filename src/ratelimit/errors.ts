/**
 * Errors raised by the rate budgets. They extend the bridge's `BridgeError` family so that
 * callers can branch on `code` (and on `retryable`) like for any other failure.
 */
import { BridgeError } from '../core/errors.js';

/** No slot freed up within `ScheduleOptions.maxWaitMs`: the request was never sent. */
export class BudgetWaitTimeoutError extends BridgeError {
  constructor(budget: string, waitedMs: number, label?: string) {
    super('BUDGET_WAIT_TIMEOUT', `${label ?? 'request'} waited ${waitedMs} ms for a ${budget} rate slot and was not sent`, { retryable: true });
  }
}

/**
 * The shared budget cannot be consulted (Redis unreachable or lost). We fail closed: a
 * request is never sent without the shared budget, because replicas counting on their own
 * would together exceed the server's limit.
 */
export class BudgetUnavailableError extends BridgeError {
  constructor(message: string, cause?: unknown) {
    super('BUDGET_UNAVAILABLE', message, { retryable: true, cause });
  }
}

/** The budget was closed (shutdown); the request was not sent. */
export class BudgetClosedError extends BridgeError {
  constructor(budget: string) {
    super('BUDGET_CLOSED', `the ${budget} rate budget is closed; the request was not sent`);
  }
}
