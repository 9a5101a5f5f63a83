/**
 * Outbox item ids that sort in enqueue order as plain strings (both backends order members
 * by bytes): `<epoch ms, 15 digits>-<counter, 6 digits>-<instance tag>`. Within one process
 * ids strictly increase even if the clock steps back; the generator is advanced past the
 * greatest id already stored when the store opens, so a restart with a slower clock still
 * queues behind the old items. The instance tag keeps ids from two replicas distinct.
 */
import { randomBytes } from 'node:crypto';

export interface OutboxIdGenerator {
  next(): string;
  /** Makes every later id sort after `id` (an id read back from the store). */
  advancePast(id: string): void;
}

const ID_PATTERN = /^(\d{15})-(\d{6})-[0-9a-z]+$/;
const MAX_COUNTER = 999_999;

export function isOutboxId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function createOutboxIdGenerator(options: { now?: () => number; tag?: string } = {}): OutboxIdGenerator {
  const now = options.now ?? Date.now;
  const tag = options.tag ?? randomBytes(4).readUInt32BE(0).toString(36).padStart(7, '0');
  let lastMs = 0;
  let counter = 0;

  return {
    next() {
      const ms = now();
      if (ms > lastMs) {
        lastMs = ms;
        counter = 0;
      } else if (counter < MAX_COUNTER) {
        counter += 1;
      } else {
        // A million ids in one millisecond: borrow the next millisecond rather than overflow.
        lastMs += 1;
        counter = 0;
      }
      return `${String(lastMs).padStart(15, '0')}-${String(counter).padStart(6, '0')}-${tag}`;
    },
    advancePast(id) {
      const match = ID_PATTERN.exec(id);
      if (match === null) return;
      const ms = Number(match[1]);
      const seen = Number(match[2]);
      if (ms > lastMs || (ms === lastMs && seen >= counter)) {
        lastMs = ms;
        counter = seen;
      }
    },
  };
}
