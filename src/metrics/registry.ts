/**
 * The bridge's Prometheus metrics. One `BridgeMetrics` is created by the composition root
 * with its own prom-client `Registry` (never the library's global default registry, so
 * that two bridges in one process, as in tests, never mix their numbers) and handed to
 * the parts that count. Gauges that describe state (budgets, outbox, poll lag, platform
 * connections) are read when Prometheus scrapes, from the `watch…` sources, so that no
 * code path has to remember to update them.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { MirrorDirection, MirrorMetrics, UpstreamMetrics } from '../core/metrics-hooks.js';
import { collectOutbox, type OutboxSource } from '../delivery/outbox-counts.js';
import type { RateBudget } from '../ratelimit/types.js';

/** Every metric name starts with this. */
export const METRIC_PREFIX = 'fluxra_bridge_';

export interface BridgeMetricsOptions {
  /** Also export Node's process metrics (CPU, memory, event loop lag, handles). Default true. */
  processMetrics?: boolean;
  now?: () => number;
}

/** Something whose connection state can be read (the platform adapters). */
export interface ConnectionSource {
  readonly platform: string;
  connectionState?(): 'connected' | 'disconnected' | 'idle';
}

export interface BridgeMetrics extends MirrorMetrics, UpstreamMetrics {
  readonly registry: Registry;
  /** An event (message, edit, delete) or a command taken from a platform. */
  inbound(platform: string, kind: string): void;
  /** An agent turn finished (answered, failed or timed out). */
  turnFinished(): void;
  /** Reads this budget's snapshot at every scrape. */
  watchBudget(service: string, budget: RateBudget): void;
  /** Reads the outbox depth, queued agent requests and running turns at every scrape. */
  watchOutbox(outbox: OutboxSource): void;
  /** Reads the platforms' connection state at every scrape. */
  watchConnections(sources: readonly ConnectionSource[]): void;
  /** The exposition text for `/metrics`. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Seconds since the oldest of `since` (epoch ms), or 0 when there is none. */
export function stalestLagSeconds(since: Iterable<number>, nowMs: number): number {
  let oldest = nowMs;
  for (const at of since) oldest = Math.min(oldest, at);
  return Math.max(0, nowMs - oldest) / 1000;
}

/** The rate budgets' gauges (used, limit, window, queued by priority, pause left), read at scrape time. */
function registerBudgetGauges(registers: Registry[], budgets: ReadonlyMap<string, RateBudget>, now: () => number): void {
  const budgetGauge = (
    name: string,
    help: string,
    read: (budget: RateBudget, set: (labels: Record<string, string>, value: number) => void) => void,
    extraLabels: string[] = [],
  ): void => {
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames: ['service', ...extraLabels],
      registers,
      collect() {
        this.reset();
        for (const [service, budget] of budgets) read(budget, (labels, value) => this.set({ service, ...labels }, value));
      },
    });
  };
  budgetGauge('rate_budget_used', 'Requests sent in the current rate window, by service', (budget, set) => set({}, budget.snapshot().usedInWindow));
  budgetGauge('rate_budget_limit', 'Requests allowed per rate window, by service', (budget, set) => set({}, budget.snapshot().limit));
  budgetGauge('rate_budget_window_seconds', 'Length of the rate window, by service', (budget, set) => set({}, budget.snapshot().windowMs / 1000));
  budgetGauge(
    'rate_budget_queued',
    'Requests waiting for a rate-budget slot, by service and priority',
    (budget, set) => {
      const { queued } = budget.snapshot();
      for (const [priority, count] of Object.entries(queued)) set({ priority }, count);
    },
    ['priority'],
  );
  budgetGauge('rate_budget_paused_seconds', 'Time left in the pause after a 429, by service (0 when not paused)', (budget, set) =>
    set({}, Math.max(0, budget.snapshot().pausedUntil - now()) / 1000),
  );
}

/** How stale the Fluxra polling is, and how many conversations this replica follows. */
function registerPollGauges(registers: Registry[], pollBase: ReadonlyMap<string, number>, now: () => number): void {
  // No conversation label: ids are what `/bridge link` takes, and a label per conversation
  // would hand them to whoever reads /metrics (and grow without bound). The stalest lag is
  // what an alert needs; the log names the conversation that fails.
  new Gauge({
    name: `${METRIC_PREFIX}fluxra_poll_lag_seconds`,
    help: 'Time since the least recently polled linked Fluxra conversation was last polled successfully (0 when none is followed)',
    registers,
    collect() {
      this.set(stalestLagSeconds(pollBase.values(), now()));
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}fluxra_conversations_polled`,
    help: 'Linked Fluxra conversations this replica follows',
    registers,
    collect() {
      this.set(pollBase.size);
    },
  });
}

/** 1 while the connection is up, 0 while it is down; no series where it is not held (idle or unknown). */
export function connectionGaugeValue(state: ReturnType<NonNullable<ConnectionSource['connectionState']>> | undefined): number | undefined {
  if (state === undefined || state === 'idle') return undefined;
  return state === 'connected' ? 1 : 0;
}

/** Whether each platform connection is up, read at scrape time. */
function registerConnectionGauge(registers: Registry[], connections: readonly ConnectionSource[]): void {
  new Gauge({
    name: `${METRIC_PREFIX}platform_connected`,
    help: 'Whether the platform connection (Slack Socket Mode or HTTP receiver, Discord gateway) is up: 1 or 0 (absent where it is not held, e.g. Discord on a cluster follower)',
    labelNames: ['platform'] as const,
    registers,
    collect() {
      this.reset();
      for (const source of connections) {
        const value = connectionGaugeValue(source.connectionState?.());
        if (value !== undefined) this.set({ platform: source.platform }, value);
      }
    },
  });
}

/** The outbox depth by queue, the busy agent sessions and the running turns, read at scrape time. */
function registerOutboxGauges(registers: Registry[], outboxes: readonly OutboxSource[]): void {
  // One read of the outbox fills all three outbox gauges; the first one registered reads it,
  // because a scrape collects the metrics in registration order.
  new Gauge({
    name: `${METRIC_PREFIX}outbox_depth`,
    help: 'Items waiting in the outbox, by queue (mirror, agent_requests)',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      this.reset();
      sessionsBusy.reset();
      turnsRunning.reset();
      for (const outbox of outboxes) {
        try {
          const counts = await collectOutbox(outbox);
          for (const [queue, depth] of Object.entries(counts.queues)) this.inc({ queue }, depth);
          sessionsBusy.inc(counts.busySessions);
          turnsRunning.inc(counts.runningTurns);
        } catch {
          // The store is down: /readyz says so; these series are left out of this scrape.
        }
      }
    },
  });
  const sessionsBusy = new Gauge({
    name: `${METRIC_PREFIX}agent_sessions_busy`,
    help: 'Agent sessions with requests (a start or follow-ups) waiting to be sent to Blocks',
    registers,
  });
  const turnsRunning = new Gauge({
    name: `${METRIC_PREFIX}agent_turns_running`,
    help: 'Agent turns running on Blocks and being polled (store-wide: every replica reports the same)',
    registers,
  });
}

export function createBridgeMetrics(options: BridgeMetricsOptions = {}): BridgeMetrics {
  const registry = new Registry();
  const now = options.now ?? Date.now;
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  const budgets = new Map<string, RateBudget>();
  const outboxes: OutboxSource[] = [];
  const connections: ConnectionSource[] = [];
  /** Per conversation: when its lag is measured from (last successful poll, or first failure). */
  const pollBase = new Map<string, number>();

  const registers = [registry];
  const mirrored = new Counter({
    name: `${METRIC_PREFIX}messages_mirrored_total`,
    help: 'Messages mirrored, by direction (to_fluxra, from_fluxra) and platform (source or destination)',
    labelNames: ['direction', 'platform'] as const,
    registers,
  });
  const deadLettered = new Counter({
    name: `${METRIC_PREFIX}dead_letters_total`,
    help: 'Queued mirror items that failed for good and were moved to the dead letters, by stage (send, copy)',
    labelNames: ['stage'],
    registers,
  });
  const inboundEvents = new Counter({
    name: `${METRIC_PREFIX}inbound_events_total`,
    help: 'Events and commands taken from the platforms, by platform and kind (message, edit, delete, command)',
    labelNames: ['platform', 'kind'] as const,
    registers,
  });
  const upstreamErrors = new Counter({
    name: `${METRIC_PREFIX}upstream_errors_total`,
    help: 'Failed calls to Slack, Discord, Fluxra and Blocks, by service and code (HTTP status, platform error or network code)',
    labelNames: ['service', 'code'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: `${METRIC_PREFIX}rate_limited_total`,
    help: '429 answers received, by service',
    labelNames: ['service'] as const,
    registers,
  });
  const turnsFinished = new Counter({ name: `${METRIC_PREFIX}agent_turns_finished_total`, help: 'Agent turns that finished (answered, failed or timed out)', registers });

  registerBudgetGauges(registers, budgets, now);
  registerPollGauges(registers, pollBase, now);
  registerConnectionGauge(registers, connections);
  registerOutboxGauges(registers, outboxes);

  return {
    registry,
    mirrored(direction: MirrorDirection, platform: string) {
      mirrored.inc({ direction, platform });
    },
    deadLettered(stage) {
      deadLettered.inc({ stage });
    },
    polled(conversationId) {
      pollBase.set(conversationId, now());
    },
    pollFailed(conversationId) {
      if (!pollBase.has(conversationId)) pollBase.set(conversationId, now());
    },
    forget(conversationId) {
      pollBase.delete(conversationId);
    },
    error(service, code) {
      upstreamErrors.inc({ service, code });
    },
    rateLimited(service) {
      rateLimited.inc({ service });
    },
    inbound(platform, kind) {
      inboundEvents.inc({ platform, kind });
    },
    turnFinished() {
      turnsFinished.inc();
    },
    watchBudget(service, budget) {
      budgets.set(service, budget);
    },
    watchOutbox(outbox) {
      outboxes.push(outbox);
    },
    watchConnections(sources) {
      connections.push(...sources);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
