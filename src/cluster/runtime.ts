/**
 * Clustered mode as the composition root uses it, in one object: the leadership (the Redis
 * elector with a Redis URL, else a standalone process that always leads), the wake bus
 * between replicas, and the leader duties.
 *
 * What runs where:
 * - every replica: the Slack connection (Socket Mode may run on each; Slack hands each
 *   envelope to one of them), command handling, and `accept` of platform events into the
 *   store's outbox, followed by a wake-up published to the leader;
 * - the leader only: the duties (outbox workers, Fluxra poller, turn scheduler, Discord
 *   gateway, the periodic outbox scan that catches a lost wake-up).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/logger.js';
import { type ClusterRedis, connectClusterRedis } from './cluster-redis.js';
import { createLeaderDuties, type Duty, type LeaderDuties, periodicDuty } from './leader-duties.js';
import { createLeaderElector, type LeaderElector } from './leader-elector.js';
import { createLeaderLock } from './leader-lock.js';
import { createStandaloneLeadership, type Leadership, type LeadershipStatus } from './leadership.js';
import { createWakeBus, type WakeBus, type WakeMessage } from './wake-bus.js';

export interface ClusterRuntimeConfig {
  /** Absent: standalone. */
  url?: string;
  keyPrefix: string;
  leaderLockTtlMs: number;
  /** How often the leader scans the outboxes for work whose wake-up was lost. Default 10 s. */
  scanEveryMs?: number;
}

/** What the leader does with a wake-up from another replica. */
export interface WakeTargets {
  mirror?: { notify(partition: string): void; wake(channel: WakeLinks[number]): void };
  sessions?: { notify(partition: string): void };
}
type WakeLinks = Extract<WakeMessage, { kind: 'links' }>['channels'];

export interface ClusterRuntime {
  readonly leadership: Leadership;
  readonly replicaId: string;
  /** For the engines: may this replica do leader work right now? */
  mayWork(): boolean;
  /** Tells the leader (wherever it runs) about new work; a no-op when standalone. */
  publish(message: WakeMessage): void;
  status(): LeadershipStatus & { duties: string[] };
  /** Rejects when Redis (the lock's connection) does not answer; resolves when standalone. */
  ping(): Promise<void>;
  /**
   * Starts competing with `duties` (plus the periodic `scan`, when clustered) and routes
   * wake-ups to `targets`. Resolves after the first attempt; standalone, rejects when a
   * duty failed to start (there is nobody else to take over).
   */
  start(input: { duties: readonly Duty[]; scan?: () => Promise<void>; targets: WakeTargets }): Promise<void>;
  /** Stops the duties (when leading), releases the lock, closes the connections. */
  stop(): Promise<void>;
}

export async function createClusterRuntime(config: ClusterRuntimeConfig, deps: { logger: Logger }): Promise<ClusterRuntime> {
  const logger = deps.logger.child({ component: 'cluster' });
  const replicaId = randomBytes(6).toString('hex');
  let redis: ClusterRedis | undefined;
  let bus: WakeBus | undefined;
  let elector: LeaderElector | undefined;
  let leadership: Leadership;

  if (config.url === undefined) {
    leadership = createStandaloneLeadership();
  } else {
    const ttlMs = config.leaderLockTtlMs;
    redis = await connectClusterRedis({ url: config.url, commandTimeoutMs: Math.max(500, Math.floor(ttlMs / 10)), logger });
    const connections = redis;
    const lock = createLeaderLock({ redis: connections.command, prefix: config.keyPrefix, ttlMs, owner: replicaId });
    const wakeBus = createWakeBus({ publisher: connections.command, subscriber: connections.subscriber, prefix: config.keyPrefix, replicaId, logger });
    bus = wakeBus;
    elector = createLeaderElector({ lock, logger, onReleased: () => wakeBus.publish({ kind: 'released' }) });
    leadership = elector;
  }
  let duties: LeaderDuties | undefined;

  function route(message: WakeMessage, targets: WakeTargets): void {
    switch (message.kind) {
      case 'released':
        elector?.nudge();
        return;
      case 'mirror':
        if (leadership.holds()) targets.mirror?.notify(message.partition);
        return;
      case 'sessions':
        if (leadership.holds()) targets.sessions?.notify(message.partition);
        return;
      case 'links':
        if (leadership.holds()) for (const channel of message.channels) targets.mirror?.wake(channel);
        return;
    }
  }

  return {
    leadership,
    replicaId,
    mayWork: () => leadership.holds(),
    publish(message) {
      bus?.publish(message);
    },
    status: () => ({ ...leadership.status(), duties: duties?.running() ?? [] }),
    async ping() {
      if (redis) await redis.command.ping();
    },
    async start(input) {
      const all = [...input.duties];
      if (leadership.mode === 'clustered' && input.scan) all.push(periodicDuty('outbox-scan', config.scanEveryMs ?? 10_000, input.scan, logger));
      duties = createLeaderDuties({ leadership, duties: all, logger });
      await bus?.subscribe((message) => route(message, input.targets));
      await leadership.start();
      if (leadership.mode === 'standalone' && duties.lastStartError !== undefined) throw duties.lastStartError;
    },
    async stop() {
      await leadership.stop();
      duties?.detach();
      await bus?.close();
      await redis?.close();
    },
  };
}
