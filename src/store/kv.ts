/**
 * A typed view of one keyv namespace: the building block of the record repositories, and
 * the helper later features use for their own small records (`store.kv<T>('name')`).
 * Keys are stored as `<prefix>:<namespace>:<key>` on both backends.
 */
import type { Keyv } from 'keyv';

/** Typed get/set/delete over one namespace of the store. */
export interface KvNamespace<T> {
  get(key: string): Promise<T | undefined>;
  /** Without `ttlMs` the record never expires. */
  set(key: string, value: T, options?: { ttlMs?: number }): Promise<void>;
  /** True when a record was there. */
  delete(key: string): Promise<boolean>;
  /**
   * This namespace's `key` and `other`'s `otherKey` in one store query (one SQL statement /
   * MGET) when both namespaces are on one store; two reads otherwise.
   */
  getWith<U>(key: string, other: KvNamespace<U>, otherKey: string): Promise<[T | undefined, U | undefined]>;
}

/** Where a namespace's records live, for `getWith` (not part of the public shape). */
const LOCATION = Symbol('kv location');
interface Located {
  [LOCATION]?: { keyv: Keyv; full(key: string): string };
}

/** Namespace names later features may choose: they cannot collide with the store's own. */
export const KV_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function assertTtl(ttlMs: number | undefined, what: string): void {
  if (ttlMs !== undefined && !(Number.isSafeInteger(ttlMs) && ttlMs > 0)) {
    throw new RangeError(`${what}: ttlMs must be a positive integer of milliseconds, got ${String(ttlMs)}`);
  }
}

export function createKvNamespace<T>(keyv: Keyv, namespaceKey: string): KvNamespace<T> {
  const full = (key: string): string => `${namespaceKey}:${key}`;
  const namespace: KvNamespace<T> & Located = {
    [LOCATION]: { keyv, full },
    async get(key) {
      return (await keyv.get(full(key))) as T | undefined;
    },
    async set(key, value, options) {
      assertTtl(options?.ttlMs, `set ${namespaceKey}`);
      // Keyv stores `undefined` as a present record that reads back as missing: refuse it.
      if (value === undefined) throw new TypeError(`set ${namespaceKey}: value must not be undefined`);
      await keyv.set(full(key), value, options?.ttlMs);
    },
    async delete(key) {
      return keyv.delete(full(key));
    },
    async getWith<U>(key: string, other: KvNamespace<U>, otherKey: string): Promise<[T | undefined, U | undefined]> {
      const there = (other as KvNamespace<U> & Located)[LOCATION];
      if (there === undefined || there.keyv !== keyv) return Promise.all([namespace.get(key), other.get(otherKey)]);
      const [mine, theirs] = (await keyv.getMany([full(key), there.full(otherKey)])) as [unknown, unknown];
      return [mine as T | undefined, theirs as U | undefined];
    },
  };
  return namespace;
}
