/**
 * A counting server for the Fluxra budget tests (Fluxra documents no limits, so only
 * arrivals, spacing and concurrency matter; the Blocks tests use the real Blocks fake): it answers
 * any GET under /rest/v1/sessions/ with 200, records every arrival (time, key, label), and
 * enforces "at most `limit` arrivals in any `windowMs`" per key like the real service would:
 * the (limit+1)th arrival in a window is answered 429 and counted as a violation. Every
 * arrival counts, 429s included (spec §3, INFERRED).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  at: number;
  key: string;
  label: string;
  status: number;
}

export interface CountingServer {
  url: string;
  arrivals: Arrival[];
  violations: number;
  /** The next `count` requests are answered 429 with this Retry-After (seconds), or none. */
  inject429(count: number, retryAfterSeconds?: number): void;
  /** Most arrivals seen in any window of `windowMs` (optionally only those matching). */
  maxInAnyWindow(windowMs: number, filter?: (arrival: Arrival) => boolean): number;
  /** Concurrency peak: requests being handled at once (with `latencyMs` > 0). */
  peakInFlight: number;
  close(): Promise<void>;
}

export interface CountingServerOptions {
  limit: number;
  windowMs: number;
  latencyMs?: number;
}

export function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export async function startCountingServer(options: CountingServerOptions): Promise<CountingServer> {
  const perKey = new Map<string, number[]>();
  const injected: Array<number | undefined> = [];
  let inFlight = 0;
  const state: Omit<CountingServer, 'url' | 'close'> = {
    arrivals: [],
    violations: 0,
    peakInFlight: 0,
    inject429(count, retryAfterSeconds) {
      for (let i = 0; i < count; i += 1) injected.push(retryAfterSeconds);
    },
    maxInAnyWindow(windowMs, filter) {
      return maxInAnyWindow(
        state.arrivals.filter((a) => filter?.(a) ?? true).map((a) => a.at),
        windowMs,
      );
    },
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const at = performance.timeOrigin + performance.now();
    const key = String(req.headers.authorization ?? '').replace(/^ApiKey\s+/, '');
    const label = String(req.headers['x-bridge-priority'] ?? '');
    const times = perKey.get(key) ?? [];
    perKey.set(key, times);
    while (times.length > 0 && (times[0] ?? 0) <= at - options.windowMs) times.shift();
    times.push(at);
    let status = 200;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (times.length > options.limit) {
      status = 429;
      state.violations += 1;
    } else if (injected.length > 0) {
      status = 429;
      const retryAfter = injected.shift();
      if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    }
    state.arrivals.push({ at, key, label, status });
    inFlight += 1;
    state.peakInFlight = Math.max(state.peakInFlight, inFlight);
    const finish = (): void => {
      inFlight -= 1;
      res.writeHead(status, headers);
      res.end(status === 429 ? '{"error":"Rate limit exceeded"}' : '{"id":"ok"}');
    };
    if (options.latencyMs) setTimeout(finish, options.latencyMs);
    else finish();
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 500;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state as CountingServer, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
