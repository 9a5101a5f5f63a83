/**
 * Late booking for polling in clustered mode: tells the Blocks budget when the key's next
 * free slot is close enough to book it for background work.
 *
 * Why: bottleneck books a slot when a job is registered, so a replica that books its next
 * slot as soon as the last one fired holds it a whole slot ahead, and a person arriving on
 * another replica queues behind it: up to two slots of waiting instead of one. Booking for
 * polling only `leadMs` before the slot leaves that slot to whoever asks first until then,
 * so at most about one booking is ever held ahead on the key and a person waits for at most
 * about one slot plus the lead. The lead has to cover a Redis read, bottleneck's two Redis
 * calls to book and some event-loop lag: a booking made after the slot only delays it
 * (nothing is sent early), but the time lost is lost to the whole key.
 *
 * How: bottleneck keeps the next free slot time (`nextRequest`, on the callers' clocks, as
 * in its own Lua scripts) in the limiter's settings hash, `b_<id>_settings` (bottleneck
 * 2.x, Scripts.allKeys). It only ever moves forward, so a timer set from a value read is
 * never late; when it fires the value is read again, in case another replica booked the
 * slot meanwhile. Only the holder of the background gate books for polling, so two
 * replicas do not race for the same slot with polling.
 */
import type { Redis } from 'ioredis';

export interface NextSlotWatch {
  /**
   * True only while `wake` runs after a read found the next free slot within the lead:
   * book now. Otherwise starts a read (or lets a pending read or timer finish) and returns
   * false; `wake` is called when it is worth asking again.
   */
  isNear(): boolean;
  /** Forgets the pending timer and any read in flight. */
  cancel(): void;
}

export interface NextSlotWatchOptions {
  client: Redis;
  /** Bottleneck's settings hash of the limiter that books the slots. */
  settingsKey: string;
  leadMs: number;
  /** Wait before reading again after a failed read. */
  retryMs: number;
  wake: () => void;
  onError: (error: unknown) => void;
}

export function createNextSlotWatch(options: NextSlotWatchOptions): NextSlotWatch {
  const { client, settingsKey, leadMs, retryMs, wake, onError } = options;
  let near = false;
  let reading = false;
  let timer: NodeJS.Timeout | undefined;
  /** Bumped by `cancel`, so that a read in flight then is ignored. */
  let generation = 0;

  function wakeIn(ms: number): void {
    timer = setTimeout(() => {
      timer = undefined;
      wake();
    }, ms);
  }

  function read(): void {
    const current = generation;
    reading = true;
    client.hget(settingsKey, 'nextRequest').then(
      (value) => {
        if (current !== generation) return;
        reading = false;
        // Missing (the state expired) or unreadable: book, bottleneck re-creates its state.
        const ahead = Number(value ?? Number.NaN) - Date.now() - leadMs;
        if (!(ahead > 0)) {
          near = true;
          try {
            wake();
          } finally {
            near = false;
          }
          return;
        }
        wakeIn(ahead);
      },
      (error: unknown) => {
        if (current !== generation) return;
        reading = false;
        onError(error);
        wakeIn(retryMs);
      },
    );
  }

  return {
    isNear() {
      if (near) return true;
      if (!reading && timer === undefined) read();
      return false;
    },
    cancel() {
      generation += 1;
      reading = false;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
