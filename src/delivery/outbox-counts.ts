/**
 * Reads the outbox for the scrape-time gauges. The outbox is shared: the mirror's
 * per-channel partitions, the agent engine's per-session request partitions, and the
 * index of running agent turns (one entry per turn) all live in it, told apart by prefix.
 * Reading it from the store (not from in-memory engine state) gives the same answer on
 * every replica and after a restart.
 */

import type { OutboxRepository } from '../store/index.js';
import { MIRROR_PARTITION_PREFIX, RUNNING_PARTITION, SESSIONS_PARTITION_PREFIX } from './sections.js';

export type OutboxSource = Pick<OutboxRepository, 'partitions' | 'depth'>;

export interface OutboxCounts {
  /** Items waiting, by queue: `mirror`, `agent_requests`, `other`. */
  queues: Record<string, number>;
  /** Sessions that have at least one request waiting. */
  busySessions: number;
  runningTurns: number;
}

export async function collectOutbox(outbox: OutboxSource): Promise<OutboxCounts> {
  const queues: Record<string, number> = { mirror: 0, agent_requests: 0 };
  let busySessions = 0;
  let runningTurns = 0;
  for (const partition of await outbox.partitions()) {
    const depth = await outbox.depth(partition);
    if (partition === RUNNING_PARTITION) {
      runningTurns += depth;
    } else if (partition.startsWith(MIRROR_PARTITION_PREFIX)) {
      queues['mirror'] = (queues['mirror'] ?? 0) + depth;
    } else if (partition.startsWith(SESSIONS_PARTITION_PREFIX)) {
      queues['agent_requests'] = (queues['agent_requests'] ?? 0) + depth;
      if (depth > 0) busySessions += 1;
    } else {
      queues['other'] = (queues['other'] ?? 0) + depth;
    }
  }
  return { queues, busySessions, runningTurns };
}
