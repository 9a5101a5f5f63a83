/**
 * Serialises async work per key inside this process, in call order. The store uses it where a repository
 * reads, then writes two records that must agree (a link and its reverse index entry);
 * across replicas, readers validate the index against the record instead (see links.ts).
 */
export interface KeyedLock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      // Run after the previous holder settles, whether it succeeded or not.
      const current = previous.then(work, work);
      const tail = current.catch(() => undefined);
      tails.set(key, tail);
      try {
        return await current;
      } finally {
        // Forget the key once nobody queued behind us, so the map does not grow forever.
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
