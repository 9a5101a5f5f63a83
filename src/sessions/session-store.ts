/**
 * The engine's persistent state over the store: session records (store.sessions, with the
 * thread index), turn records, the index of running turns, and the request queues.
 *
 * The running-turns index and the request queues are outbox partitions: ordered, durable,
 * one atomic write per entry, and listable after a restart, which plain kv records are not.
 */

import { SESSION_REQUEST_PREFIX as REQUEST_PREFIX, RUNNING_PARTITION } from '../delivery/sections.js';
import type { MessageKey, Store } from '../store/index.js';
import type { OutboxEntry } from '../store/outbox.js';
import type { AgentSessionRecord, SessionRequest, TurnRecord, TurnStream } from './types.js';

export { RUNNING_PARTITION, SESSIONS_PARTITION_PREFIX } from '../delivery/sections.js';

/** Most running turns read back at start; far above what one Blocks key can poll. */
const MAX_RUNNING = 100_000;

export interface RunningEntry {
  turnId: string;
}

export interface SessionState {
  getSession(id: string): Promise<AgentSessionRecord | undefined>;
  putSession(record: AgentSessionRecord): Promise<void>;
  findSessionByThread(threadRoot: MessageKey): Promise<AgentSessionRecord | undefined>;
  getTurn(id: string): Promise<TurnRecord | undefined>;
  putTurn(turn: TurnRecord): Promise<void>;
  /**
   * A turn's open Slack answer stream (progress-display.ts). Kept apart from the turn record,
   * which the poll writes meanwhile, so that neither write can undo the other.
   */
  getStream(turnId: string): Promise<TurnStream | undefined>;
  putStream(turnId: string, stream: TurnStream): Promise<void>;
  /** Adds the turn to the running index (once) and records where. */
  markRunning(turn: TurnRecord): Promise<TurnRecord>;
  /** Removes the turn from the running index. */
  unmarkRunning(turn: TurnRecord): Promise<void>;
  /** Index entries (a crash may leave one whose turn has ended: the caller drops those). */
  runningEntries(): Promise<Array<{ entryId: string; turnId: string }>>;
  dropRunningEntry(entryId: string): Promise<void>;
  enqueue(request: SessionRequest): Promise<string>;
  /** The request partition of a session record. */
  partitionOf(sessionRecordId: string): string;
  requestPartitions(): Promise<string[]>;
  head(partition: string): Promise<OutboxEntry<SessionRequest> | undefined>;
  complete(partition: string, id: string): Promise<void>;
  retryLater(partition: string, id: string, retryAt: number, error: string): Promise<void>;
}

export function createSessionState(store: Store): SessionState {
  const turns = store.kv<TurnRecord>('session-turns');
  const streams = store.kv<TurnStream>('session-streams');
  const partitionOf = (sessionRecordId: string): string => `${REQUEST_PREFIX}${sessionRecordId}`;
  return {
    getSession: (id) => store.sessions.get<AgentSessionRecord>(id),
    putSession: (record) => store.sessions.put(record),
    findSessionByThread: (threadRoot) => store.sessions.findByThread<AgentSessionRecord>(threadRoot),
    getTurn: (id) => turns.get(id),
    putTurn: (turn) => turns.set(turn.id, turn),
    getStream: (turnId) => streams.get(turnId),
    putStream: (turnId, stream) => streams.set(turnId, stream),
    async markRunning(turn) {
      if (turn.runningIndexId !== undefined) return turn;
      const runningIndexId = await store.outbox.enqueue<RunningEntry>(RUNNING_PARTITION, { turnId: turn.id });
      const marked = { ...turn, runningIndexId };
      await turns.set(turn.id, marked);
      return marked;
    },
    async unmarkRunning(turn) {
      if (turn.runningIndexId !== undefined) await store.outbox.complete(RUNNING_PARTITION, turn.runningIndexId);
    },
    async runningEntries() {
      const entries = await store.outbox.peek<RunningEntry>(RUNNING_PARTITION, MAX_RUNNING);
      return entries.map((entry) => ({ entryId: entry.id, turnId: entry.item.turnId }));
    },
    async dropRunningEntry(entryId) {
      await store.outbox.complete(RUNNING_PARTITION, entryId);
    },
    enqueue: (request) => store.outbox.enqueue(partitionOf(request.sessionRecordId), request),
    partitionOf,
    async requestPartitions() {
      return (await store.outbox.partitions()).filter((partition) => partition.startsWith(REQUEST_PREFIX));
    },
    head: (partition) => store.outbox.head<SessionRequest>(partition),
    async complete(partition, id) {
      await store.outbox.complete(partition, id);
    },
    async retryLater(partition, id, retryAt, error) {
      await store.outbox.fail(partition, id, retryAt, error);
    },
  };
}
