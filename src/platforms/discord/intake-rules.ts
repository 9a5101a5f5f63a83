/**
 * The decisions of the Discord intake (inbound-queue.ts), as pure functions. Discord never
 * redelivers a gateway event, so an event the bridge could not make durable is tried again
 * in this process, after a growing pause, until it is; events wait per channel so that a
 * channel's order is kept while other channels go on.
 */

export interface IntakeRetrySettings {
  /** Pause after the first failure. */
  baseMs: number;
  /** The pause never grows past this. */
  maxMs: number;
}

export interface IntakeSettings extends IntakeRetrySettings {
  /**
   * Events a channel may hold in memory while its head is retried. Past it, later events of
   * the channel are not kept: the catch-up reads them from history once the channel drains.
   */
  maxQueuedPerChannel: number;
}

export const INTAKE_DEFAULTS: IntakeSettings = { baseMs: 250, maxMs: 30_000, maxQueuedPerChannel: 5_000 };

/** The pause before trying again after `failures` failed attempts (1 = the first failure): doubling, capped. */
export function intakeRetryDelayMs(failures: number, settings: IntakeRetrySettings): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(settings.maxMs, settings.baseMs * 2 ** exponent);
}

/**
 * The queue an event waits in: a thread's events wait with their parent channel (so that a
 * reply never overtakes the root it answers), when the thread's parent is known; a channel
 * or thread whose parent is not known waits on its own.
 */
export function intakeQueueKey(channelId: string, parentOf: (channelId: string) => string | undefined): string {
  return parentOf(channelId) ?? channelId;
}

/** What to do with a new event of a channel that already holds `queued` events. */
export function intakeAdmission(queued: number, overflowed: boolean, settings: Pick<IntakeSettings, 'maxQueuedPerChannel'>): 'queue' | 'leave-to-catch-up' {
  // Once a channel overflowed, everything after waits for the catch-up, or order would break.
  if (overflowed || queued >= settings.maxQueuedPerChannel) return 'leave-to-catch-up';
  return 'queue';
}
