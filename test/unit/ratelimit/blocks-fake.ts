/**
 * The shared Blocks fake (src/simulators/blocks.ts) seen the way the budget tests look at it:
 * arrivals with their time, status and label (sent in the fake's priority header), the
 * violations its strict sliding window counted, and 429 injection.
 */
import { createFakeBlocks, FAKE_PRIORITY_HEADER, type FakeBlocks, maxInAnyWindow } from '../../../src/simulators/blocks.js';

export { FAKE_PRIORITY_HEADER as LABEL_HEADER };

export interface Arrival {
  at: number;
  label: string;
  status: number;
}

export interface BlocksFakeView {
  url: string;
  fake: FakeBlocks;
  readonly arrivals: Arrival[];
  readonly violations: number;
  /** The next `count` requests are answered 429, with Retry-After (seconds) when given. */
  inject429(count: number, retryAfterSeconds?: number): void;
  maxInAnyWindow(windowMs: number, filter?: (arrival: Arrival) => boolean): number;
  close(): Promise<void>;
}

export async function startBlocksFake(options: { limit: number; windowMs: number; apiKeys: string[] }): Promise<BlocksFakeView> {
  const fake = await createFakeBlocks({ limit: options.limit, windowMs: options.windowMs, apiKeys: options.apiKeys });
  const arrivals = (): Arrival[] => fake.state.requests.map((r) => ({ at: r.arrivalMs, label: r.priority ?? '', status: r.status }));
  return {
    url: fake.url,
    fake,
    get arrivals() {
      return arrivals();
    },
    get violations() {
      return fake.state.violations;
    },
    inject429(count, retryAfterSeconds) {
      fake.inject({ type: 'rate-limit', times: count, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
    },
    maxInAnyWindow(windowMs, filter) {
      return maxInAnyWindow(
        arrivals()
          .filter((a) => filter?.(a) ?? true)
          .map((a) => a.at),
        windowMs,
      );
    },
    close: () => fake.close(),
  };
}
