/**
 * Wake-ups between replicas, over Redis pub/sub. A follower that accepted work (an outbox
 * item, a session request) or changed a link says so here, and the leader looks at that
 * work at once instead of at its next periodic scan; a leader that released the lock says so,
 * and the followers compete at once instead of at their next attempt.
 *
 * Pub/sub is fire-and-forget: a wake-up lost while a connection is down is not a loss of
 * work, which is in the store already. The leader's periodic scan (leader-duties.ts) finds it.
 */

import type { ChannelRef } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { RedisClient } from '../core/redis-client.js';

export type WakeMessage =
  /** New work in an outbox partition of the mirror or the session engine. */
  | { kind: 'mirror' | 'sessions'; partition: string }
  /** Links made, removed, paused or resumed by a command. */
  | { kind: 'links'; channels: ChannelRef[] }
  /** The leader released the lock on purpose. */
  | { kind: 'released' };

export interface WakeBusConfig {
  /** For publishing (any command connection). */
  publisher: RedisClient;
  /** A connection used for nothing but this subscription. */
  subscriber: RedisClient;
  prefix: string;
  /** This replica's id: its own messages come back from Redis and are ignored. */
  replicaId: string;
  logger: Logger;
}

export interface WakeBus {
  publish(message: WakeMessage): void;
  /** Starts listening; `handler` gets every other replica's messages. */
  subscribe(handler: (message: WakeMessage) => void): Promise<void>;
  close(): Promise<void>;
}

interface Envelope {
  from: string;
  message: WakeMessage;
}

export function wakeChannel(prefix: string): string {
  return `${prefix}:cluster:wake`;
}

export function createWakeBus(config: WakeBusConfig): WakeBus {
  const channel = wakeChannel(config.prefix);
  const logger = config.logger.child({ component: 'wake-bus' });
  let handler: ((message: WakeMessage) => void) | undefined;
  let lostPublishes = 0;

  const onMessage = (raw: string): void => {
    if (handler === undefined) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (envelope.from === config.replicaId) return;
    handler(envelope.message);
  };

  return {
    publish(message) {
      const envelope: Envelope = { from: config.replicaId, message };
      config.publisher.publish(channel, JSON.stringify(envelope)).then(
        () => {
          if (lostPublishes > 0) logger.info({ lost: lostPublishes }, 'wake-ups reach Redis again');
          lostPublishes = 0;
        },
        (error: unknown) => {
          // The work itself is stored; the leader's periodic scan finds it.
          if (lostPublishes === 0) logger.warn({ err: describeError(error) }, 'could not publish a wake-up; the leader will find the work on its next scan');
          lostPublishes += 1;
        },
      );
    },
    async subscribe(next) {
      handler = next;
      await config.subscriber.subscribe(channel, onMessage);
    },
    async close() {
      handler = undefined;
      if (config.subscriber.isReady) await config.subscriber.unsubscribe(channel, onMessage).catch(() => undefined);
    },
  };
}
