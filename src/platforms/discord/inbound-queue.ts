/**
 * The Discord intake: neutral events handed to the bridge's handler, one channel at a time.
 *
 * - Each channel (a thread with its parent, when known) has its own queue: an edit never
 *   overtakes its create, and one slow channel does not stall the others. A queue is
 *   forgotten as soon as it is empty, so the set of queues follows the channels in use.
 * - Discord never redelivers a gateway event. An event the handler could not make durable
 *   (it rejected: the store is unreachable) is tried again after a growing pause until it is,
 *   and the channel's later events wait behind it. If the process ends first, the channel's
 *   catch-up checkpoint has not moved past it (src/catch-up/), so the next start reads it
 *   back from history, once.
 * - A channel whose queue reaches its bound keeps no more events in memory; once it drains,
 *   `onGap` asks for a catch-up, which reads what was left out from history.
 *
 * Command invocations do not queue here: the router answers every one itself.
 */

import type { InboundEvent, InboundHandler } from '../../core/chat.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { INTAKE_DEFAULTS, type IntakeSettings, intakeAdmission, intakeRetryDelayMs } from './intake-rules.js';

export interface InboundQueue {
  /** Hands one event to the handler once (a command invocation goes straight here). */
  deliver(event: InboundEvent): Promise<void>;
  /** Maps and delivers after everything queued before it in the same queue (`key`: see `intakeQueueKey`). */
  enqueue(key: string, work: () => Promise<InboundEvent[]>): void;
  /** Resolves once everything queued so far was handled (or given up at stop). */
  drained(): Promise<void>;
  /** Stops retrying: what is still queued is tried once more and otherwise left to the catch-up. */
  stop(): void;
  /** Queues holding events now (for tests and metrics). */
  size(): number;
}

export interface InboundQueueDeps {
  handler: () => InboundHandler | undefined;
  logger: Logger;
  settings?: Partial<IntakeSettings>;
  /** Events were left out (a queue overflowed) and its queue has drained: read the gap from history. */
  onGap?: () => void;
}

interface ChannelQueue {
  tail: Promise<void>;
  queued: number;
  overflowed: boolean;
}

export function createInboundQueue(deps: InboundQueueDeps): InboundQueue {
  const { logger } = deps;
  const settings: IntakeSettings = { ...INTAKE_DEFAULTS, ...deps.settings };
  const queues = new Map<string, ChannelQueue>();
  const stopping = new AbortController();

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopping.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done, { once: true });
    });

  /** Runs `attempt` until it resolves; false when the intake stopped before it did. */
  async function untilDone(what: Record<string, unknown>, attempt: () => Promise<void>): Promise<boolean> {
    for (let failures = 0; ; ) {
      try {
        await attempt();
        if (failures > 0) logger.info({ ...what, attempts: failures + 1 }, 'discord event accepted after retrying');
        return true;
      } catch (error) {
        failures += 1;
        if (stopping.signal.aborted) {
          logger.warn({ ...what, err: describeError(error) }, 'discord event not accepted before stop; the catch-up reads it back at the next start');
          return false;
        }
        const delayMs = intakeRetryDelayMs(failures, settings);
        logger.warn({ ...what, attempt: failures, retryInMs: delayMs, err: describeError(error) }, 'discord event not accepted; trying again (Discord does not redeliver)');
        await pause(delayMs);
      }
    }
  }

  const deliver = async (event: InboundEvent): Promise<void> => {
    const current = deps.handler();
    if (!current) {
      logger.warn({ eventId: event.eventId }, 'discord event before onEvent was set; dropped');
      return;
    }
    await current(event);
  };

  async function handle(work: () => Promise<InboundEvent[]>): Promise<void> {
    let events: InboundEvent[] = [];
    const mapped = await untilDone({ stage: 'map' }, async () => {
      events = await work();
    });
    if (!mapped) return;
    for (const event of events) {
      if (!(await untilDone({ eventId: event.eventId }, () => deliver(event)))) return;
    }
  }

  function settle(key: string, queue: ChannelQueue): void {
    queue.queued -= 1;
    if (queue.queued > 0) return;
    // Empty: forget the channel, and have the catch-up read what was left out.
    queues.delete(key);
    if (queue.overflowed && !stopping.signal.aborted) {
      logger.warn({ queue: key }, 'discord channel queue drained after overflowing; catching its gap up from history');
      deps.onGap?.();
    }
  }

  return {
    async deliver(event) {
      try {
        await deliver(event);
      } catch (error) {
        logger.error({ eventId: event.eventId, err: error }, 'discord event handler failed');
      }
    },
    enqueue(key, work) {
      const queue = queues.get(key) ?? { tail: Promise.resolve(), queued: 0, overflowed: false };
      if (intakeAdmission(queue.queued, queue.overflowed, settings) === 'leave-to-catch-up') {
        if (!queue.overflowed) logger.error({ queue: key, queued: queue.queued }, 'discord channel queue full: later events are read from history once it drains');
        queue.overflowed = true;
        return;
      }
      queues.set(key, queue);
      queue.queued += 1;
      queue.tail = queue.tail
        .then(() => handle(work))
        .catch((error: unknown) => logger.error({ queue: key, err: error }, `discord inbound handling failed: ${describeError(error)}`))
        .finally(() => settle(key, queue));
    },
    async drained() {
      while (queues.size > 0) await Promise.allSettled([...queues.values()].map((queue) => queue.tail));
    },
    stop() {
      stopping.abort();
    },
    size: () => queues.size,
  };
}
