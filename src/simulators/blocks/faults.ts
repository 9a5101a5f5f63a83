/**
 * Fault injection for the fake Blocks server: the next N requests matching a filter get
 * latency, an error status (JSON or plain text), a hung request, a dropped connection, or
 * a 429 with or without Retry-After (seconds or HTTP date). Faults are consumed in the
 * order they were added.
 */

export interface FaultMatch {
  method?: string;
  /** Exact pathname, or a pattern tested against it. */
  path?: string | RegExp;
}

export type FaultAction =
  /** Wait, then answer normally. */
  | { type: 'latency'; ms: number }
  /** Answer this instead: an object body is JSON, a string body is sent as text/plain. */
  | { type: 'respond'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Never answer (until the server closes). */
  | { type: 'hang' }
  /** Destroy the connection without an answer. */
  | { type: 'drop' }
  /** 429. `retryAfterSeconds` absent → no header; `retryAfterAs: 'date'` sends an HTTP date. */
  | { type: 'rate-limit'; retryAfterSeconds?: number; retryAfterAs?: 'seconds' | 'date'; body?: unknown };

export type FaultSpec = FaultAction &
  FaultMatch & {
    /** How many matching requests it applies to. Default 1. */
    times?: number;
  };

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

export interface FaultQueue {
  add(spec: FaultSpec): void;
  /** The fault for this request, consuming one use; undefined when none matches. */
  take(method: string, path: string): FaultAction | undefined;
  clear(): void;
  pending(): number;
}

function matches(spec: FaultSpec, method: string, path: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.path === undefined) return true;
  return typeof spec.path === 'string' ? spec.path === path : spec.path.test(path);
}

export function createFaultQueue(): FaultQueue {
  const faults: ActiveFault[] = [];
  return {
    add(spec) {
      const times = spec.times ?? 1;
      if (!Number.isInteger(times) || times < 1) throw new RangeError('fault times must be a positive integer');
      faults.push({ spec, remaining: times });
    },
    take(method, path) {
      const index = faults.findIndex((fault) => matches(fault.spec, method, path));
      if (index < 0) return undefined;
      const fault = faults[index]!;
      fault.remaining -= 1;
      if (fault.remaining === 0) faults.splice(index, 1);
      return fault.spec;
    },
    clear() {
      faults.length = 0;
    },
    pending() {
      return faults.reduce((sum, fault) => sum + fault.remaining, 0);
    },
  };
}
