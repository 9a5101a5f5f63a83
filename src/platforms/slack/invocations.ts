/**
 * What `reply()` needs for each slash command invocation (its response_url, channel and
 * user), kept for 30 minutes (the life of a response_url) and for at most a fixed number
 * of invocations, so that a busy workspace cannot grow it without bound.
 */

export interface InvocationRecord {
  channelId: string;
  userId: string;
  /** The respond() Bolt gave us for this invocation. */
  respond: (message: Record<string, unknown>) => Promise<unknown>;
  /** A button click's trigger_id, for opening a form (it lives 3 seconds). */
  triggerId?: string;
}

export interface InvocationRegistry {
  put(eventId: string, record: InvocationRecord): void;
  get(eventId: string): InvocationRecord | undefined;
  readonly size: number;
}

export function createInvocationRegistry(options: { ttlMs: number; maxEntries: number; now?: () => number }): InvocationRegistry {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { record: InvocationRecord; expiresAt: number }>();

  function prune(): void {
    const time = now();
    // Insertion order is expiry order (one TTL for all), so stop at the first live entry.
    for (const [key, entry] of entries) {
      if (entry.expiresAt > time && entries.size <= options.maxEntries) break;
      entries.delete(key);
    }
  }

  return {
    put(eventId, record) {
      entries.delete(eventId);
      entries.set(eventId, { record, expiresAt: now() + options.ttlMs });
      prune();
    },
    get(eventId) {
      const entry = entries.get(eventId);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(eventId);
        return undefined;
      }
      return entry.record;
    },
    get size() {
      prune();
      return entries.size;
    },
  };
}
