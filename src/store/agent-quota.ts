/**
 * The agent-quota ledger: per subject (a person or a channel), one entry per admitted agent
 * turn, in time order. It lives in the store's ordered maps, so replicas sharing Redis share
 * it, and the embedded SQLite store serves a single process the same way. What counts as
 * over quota is decided in src/sessions/quota-rules.ts; this file only keeps the entries.
 *
 * Admission is add-then-check: an entry is written first, then the entries up to it are
 * counted. Of two replicas admitting at once, the one whose entry sorts later sees the other
 * and steps back, so a quota holds across replicas without a lock.
 */
import type { MapEntry, StoreBackend } from './backend.js';

const GROUP = 'agent-quota';

export interface AgentQuotaLedger {
  /** Adds an entry; the subject's entries expire together `ttlMs` after the last add. */
  add(subject: string, member: string, value: string, ttlMs: number): Promise<void>;
  /** The subject's entries, oldest first, at most `limit`. */
  entries(subject: string, limit: number): Promise<MapEntry[]>;
  /** Rewrites an entry (a turn ended); false when it is gone (expired, pruned). */
  update(subject: string, member: string, value: string): Promise<boolean>;
  remove(subject: string, member: string): Promise<void>;
}

export function createAgentQuotaLedger(backend: StoreBackend): AgentQuotaLedger {
  return {
    add: (subject, member, value, ttlMs) => backend.maps.put(GROUP, subject, member, value, ttlMs),
    entries: (subject, limit) => backend.maps.range(GROUP, subject, limit),
    update: (subject, member, value) => backend.maps.replace(GROUP, subject, member, value),
    async remove(subject, member) {
      await backend.maps.remove(GROUP, subject, member);
    },
  };
}
