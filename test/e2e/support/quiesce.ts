/**
 * Waiting for a mirror to settle without asserting on time: done when every expected copy
 * is there and nothing new has appeared anywhere for `stableMs` (a late duplicate or echo
 * would show up in that window), or when `maxMs` is over, whichever comes first. The caller
 * then checks what is there; the bound only keeps a broken bridge from hanging the run.
 */
import { countDelivered } from './mirror-checker.js';
import type { OriginMessage } from './mirror-driver.js';
import type { MirrorWorld } from './mirror-world.js';

export interface QuiesceResult {
  complete: boolean;
  waitedMs: number;
}

export async function waitForQuiescence(
  world: MirrorWorld,
  driven: readonly OriginMessage[],
  options: { stableMs: number; maxMs: number; intervalMs?: number },
): Promise<QuiesceResult> {
  const started = Date.now();
  const interval = options.intervalMs ?? 250;
  let lastTotal = -1;
  let stableSince = Date.now();
  for (;;) {
    const { expected, delivered, total } = countDelivered(world, driven);
    if (total !== lastTotal) {
      lastTotal = total;
      stableSince = Date.now();
    }
    const complete = delivered === expected;
    if (complete && Date.now() - stableSince >= options.stableMs) return { complete, waitedMs: Date.now() - started };
    if (Date.now() - started >= options.maxMs) return { complete, waitedMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
