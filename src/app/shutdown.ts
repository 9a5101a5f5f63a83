/**
 * The first half of a graceful stop (SIGTERM): stop taking new work and drain what was
 * already accepted, within `shutdown.drainTimeoutMs`. Then `Bridge.stop` closes everything.
 *
 * Taking no new work: `/readyz` turns 503 (a load balancer stops routing to us), the Slack
 * receiver closes (Slack hands its events to another connection or redelivers them later),
 * and commands that still arrive are answered "shutting down" by the composition root.
 * Discord keeps its gateway until the stop: it never redelivers, so a message that arrives
 * now is better taken into the durable outbox than dropped.
 *
 * Draining: the mirror's outbox partitions are watched until they are empty (platform →
 * Fluxra deliveries and their cross-posts). What is left at the deadline stays in the
 * outbox and is delivered after the next start (or by the next leader); nothing is lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { MIRROR_PARTITION_PREFIX } from '../mirror/mirror-item.js';
import type { OutboxRepository } from '../store/index.js';

export interface DrainParts {
  health: { markShuttingDown(): void };
  adapters: ReadonlyArray<{ readonly platform: string; stopReceiving?(): Promise<void> }>;
  outbox: Pick<OutboxRepository, 'partitions' | 'depth'>;
  /** Request workers to let finish (agent sessions), if any. */
  idle?: ReadonlyArray<() => Promise<void>>;
  timeoutMs: number;
  logger: Logger;
  /** How often the outbox is looked at while draining. Default 100 ms. */
  checkEveryMs?: number;
  now?: () => number;
}

export interface DrainReport {
  /** True when the mirror outbox emptied before the deadline. */
  drained: boolean;
  /** Mirror items left queued (delivered after the next start). */
  left: number;
}

async function mirrorDepth(outbox: DrainParts['outbox']): Promise<number> {
  let total = 0;
  for (const partition of await outbox.partitions()) {
    if (partition.startsWith(MIRROR_PARTITION_PREFIX)) total += await outbox.depth(partition);
  }
  return total;
}

/** `promise`, or a rejection once `ms` have passed (the timer never keeps the process alive). */
async function withinDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('deadline')), Math.max(0, ms));
    timer.unref();
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function drainForShutdown(parts: DrainParts): Promise<DrainReport> {
  const now = parts.now ?? Date.now;
  const deadline = now() + parts.timeoutMs;
  const logger = parts.logger;
  parts.health.markShuttingDown();
  for (const adapter of parts.adapters) {
    if (!adapter.stopReceiving) continue;
    try {
      await adapter.stopReceiving();
    } catch (error) {
      logger.warn({ platform: adapter.platform, err: describeError(error) }, 'platform did not stop receiving cleanly');
    }
  }

  // A store that does not answer (Redis down) must not hold the drain past its deadline.
  const depthNow = (): Promise<number> => withinDeadline(mirrorDepth(parts.outbox), deadline - now()).catch(() => Number.NaN);
  let left = await depthNow();
  logger.info({ queued: left, timeoutMs: parts.timeoutMs }, 'shutting down: draining the outbox');
  while (left !== 0 && now() < deadline) {
    await sleep(Math.min(parts.checkEveryMs ?? 100, Math.max(0, deadline - now())));
    left = await depthNow();
  }
  for (const idle of parts.idle ?? []) {
    const remaining = deadline - now();
    if (remaining <= 0) break;
    await withinDeadline(idle(), remaining).catch(() => undefined);
  }

  const drained = left === 0;
  if (drained) logger.info('outbox drained');
  else logger.warn({ left: Number.isNaN(left) ? 'unknown (store unreachable)' : left }, 'drain time is up; what is left stays queued for the next start');
  return { drained, left: Number.isNaN(left) ? -1 : left };
}
