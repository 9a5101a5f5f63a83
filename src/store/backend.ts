/**
 * The internal contract between the repositories and a concrete backend (SQLite or Redis).
 *
 * Plain records go through keyv (`keyv`), which both backends share. Keyv has neither
 * atomic conditional writes nor ordered range reads, so each backend also implements two
 * native primitives on the same connection keyv uses:
 * - `setIfAbsent`, the dedupe marker (SQLite upsert with RETURNING / Redis SET NX PX);
 * - ordered maps: named groups of maps, each map a set of members kept in byte order with
 *   a string value per member (SQLite table with a composite primary key / Redis sorted set
 *   plus hash, changed atomically by Lua). The outbox, the link reverse index and the
 *   message-copy groups are ordered maps.
 */
import type { Keyv } from 'keyv';

export type BackendKind = 'sqlite' | 'redis';

export interface MapEntry {
  member: string;
  value: string;
}

/**
 * Ordered maps. `group` is a fixed internal name (e.g. `outbox`); `map` is caller data
 * (a partition, a conversation id). A map written with a TTL expires as a whole `ttlMs`
 * after its last `put`; such maps are left out of `list`, `count` and `last`, which serve
 * the durable maps (the outbox) only.
 */
export interface OrderedMaps {
  put(group: string, map: string, member: string, value: string, ttlMs?: number): Promise<void>;
  /**
   * Adds the members that are absent (or expired) with their values, keeps the value of those
   * present, and refreshes the map's TTL as `put` does: what `get` then `put` per member did,
   * in fewer round trips (the message map records every mirrored message this way).
   */
  putNew(group: string, map: string, entries: readonly MapEntry[], ttlMs?: number): Promise<void>;
  /** Replaces the value of an existing member; false (and no write) when it is absent. */
  replace(group: string, map: string, member: string, value: string): Promise<boolean>;
  get(group: string, map: string, member: string): Promise<string | undefined>;
  /** The first `limit` members in byte order, with their values. */
  range(group: string, map: string, limit: number): Promise<MapEntry[]>;
  /** True when the member was there. */
  remove(group: string, map: string, member: string): Promise<boolean>;
  drop(group: string, map: string): Promise<void>;
  /** Maps of the group that hold at least one member, in byte order. */
  list(group: string): Promise<string[]>;
  /** Members in one map, or in the whole group. */
  count(group: string, map?: string): Promise<number>;
  /** The greatest member across the group's maps. */
  last(group: string): Promise<string | undefined>;
}

export interface StoreBackend {
  readonly kind: BackendKind;
  /** Keyv without a namespace: repositories build full keys themselves (see kv.ts). */
  readonly keyv: Keyv;
  readonly maps: OrderedMaps;
  /** Atomically records `key` for `ttlMs` unless a live record exists; true when recorded now. */
  setIfAbsent(key: string, ttlMs: number): Promise<boolean>;
  /** Resolves when the backend answers a trivial query; rejects with a StoreError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
