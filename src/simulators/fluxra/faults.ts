/**
 * Fault injection for the fake Fluxra: "the next N requests to this route (or to any
 * route) get this fault". Faults are consumed in the order they were added.
 */
import type { FluxraRouteName } from '../../services/fluxra/routes.js';

export type FakeFluxraFault =
  /** Wait, then answer normally. */
  | { kind: 'latency'; ms: number }
  /** Answer this status with a JSON body (`json`) or a plain-text body (`text`). */
  | { kind: 'status'; status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  /** 429 RATE_LIMIT_EXCEEDED, with a Retry-After header only when `retryAfter` is given. */
  | { kind: 'rateLimit'; retryAfter?: string }
  /** Never answer (the client's timeout fires). */
  | { kind: 'hang' }
  /** Destroy the connection without answering. */
  | { kind: 'drop' };

export interface FaultRule {
  /** A route name of the route table, or `any`. */
  route: FluxraRouteName | 'any';
  remaining: number;
  fault: FakeFluxraFault;
}

export class FaultQueue {
  private readonly rules: FaultRule[] = [];

  add(fault: FakeFluxraFault, options: { route?: FluxraRouteName | 'any'; times?: number } = {}): void {
    this.rules.push({ route: options.route ?? 'any', remaining: options.times ?? 1, fault });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** Takes the first rule that applies to `route`, if any. */
  take(route: FluxraRouteName | undefined): FakeFluxraFault | undefined {
    const index = this.rules.findIndex((rule) => rule.route === 'any' || rule.route === route);
    if (index < 0) return undefined;
    const rule = this.rules[index]!;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(index, 1);
    return rule.fault;
  }

  get pending(): number {
    return this.rules.reduce((sum, rule) => sum + rule.remaining, 0);
  }
}
