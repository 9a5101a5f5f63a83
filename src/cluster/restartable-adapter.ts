/**
 * An adapter that can start again after `stop()`: a replica that loses the lead stops its
 * Discord gateway, and may lead again later. discord.js 14 cannot log a destroyed Client in
 * again (its gateway manager stays marked destroyed and ready, so the second login never
 * becomes ready), and `destroy()` also clears the REST token. So each run gets a fresh
 * adapter from `build`, and everything else sees one stable object.
 *
 * Registrations (`onEvent`, `onConnectionChange`) are replayed on each fresh adapter; every
 * other property is read from the current one. After a stop, the next use of any kind
 * builds the next adapter (unstarted: its REST calls work, its gateway is not connected).
 */
import type { ChatAdapter } from '../core/chat.js';

/** Methods that register listeners: kept and given to every adapter built later. */
const REGISTRATIONS = new Set<PropertyKey>(['onEvent', 'onConnectionChange']);

export function restartableAdapter<A extends ChatAdapter>(build: () => A): A {
  let current = build();
  let stopped = false;
  const registrations: Array<{ method: PropertyKey; args: unknown[] }> = [];

  const live = (): A => {
    if (stopped) {
      current = build();
      stopped = false;
      for (const { method, args } of registrations) (current[method as keyof A] as (...a: unknown[]) => void)(...args);
    }
    return current;
  };

  const handler: ProxyHandler<A> = {
    get(_target, property) {
      if (property === 'stop') {
        return async () => {
          if (stopped) return;
          stopped = true;
          await current.stop();
        };
      }
      if (REGISTRATIONS.has(property)) {
        return (...args: unknown[]) => {
          registrations.push({ method: property, args });
          const method = current[property as keyof A];
          if (typeof method === 'function') (method as (...a: unknown[]) => void).apply(current, args);
        };
      }
      // `platform` and `selfUserId` included: read from the adapter of the moment.
      const adapter = property === 'platform' ? current : live();
      const value = adapter[property as keyof A];
      if (typeof value !== 'function') return value;
      // Bound at each call, not at this read: a caller that keeps the method (the readiness
      // check keeps `connectionState`) must reach the adapter of the call's moment, not one
      // stopped since.
      return (...args: unknown[]) => {
        // Stopped (or stopping): the connection is not this replica's to hold now.
        if (property === 'connectionState' && stopped) return 'idle';
        const now = live();
        return (now[property as keyof A] as (...a: unknown[]) => unknown).apply(now, args);
      };
    },
    has: (_target, property) => property in current,
  };
  return new Proxy(current, handler);
}
