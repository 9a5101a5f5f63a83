/**
 * Neutral events handed to the bridge's handler. Message events are mapped and handled one at
 * a time, in gateway order, so that an edit never overtakes its create; a failing handler is
 * logged (the gateway has no redelivery to ask for).
 */

import type { InboundEvent, InboundHandler } from '../../core/chat.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

export interface InboundQueue {
  /** Hands one event to the handler (a command invocation goes straight here). */
  deliver(event: InboundEvent): Promise<void>;
  /** Maps and delivers after everything queued before it. */
  enqueue(work: () => Promise<InboundEvent[]>): void;
  /** Resolves once everything queued so far was handled. */
  drained(): Promise<void>;
}

export function createInboundQueue(handler: () => InboundHandler | undefined, logger: Logger): InboundQueue {
  let queue: Promise<void> = Promise.resolve();
  const deliver = async (event: InboundEvent): Promise<void> => {
    const current = handler();
    if (!current) {
      logger.warn({ eventId: event.eventId }, 'discord event before onEvent was set; dropped');
      return;
    }
    try {
      await current(event);
    } catch (error) {
      logger.error({ eventId: event.eventId, err: error }, 'discord event handler failed');
    }
  };
  return {
    deliver,
    enqueue(work) {
      queue = queue
        .then(async () => {
          for (const event of await work()) await deliver(event);
        })
        .catch((error: unknown) => logger.error({ err: error }, `discord inbound mapping failed: ${describeError(error)}`));
    },
    drained: () => queue,
  };
}
