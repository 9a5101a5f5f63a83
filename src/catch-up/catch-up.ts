/**
 * Catch-up after downtime: messages posted while the bridge was down (or received but not
 * yet accepted when it died) are read back from the platforms' history and handed to the
 * engines exactly as live events (same event ids, so what also arrives live, or was
 * accepted before, is dropped by the engines' dedupe), in order, before the live events of
 * their channel.
 *
 * When: at start, for every channel an engine serves (linked to a Fluxra conversation,
 * bound to an agent), and when a platform says its connection came back without its gap
 * (a new Discord gateway session instead of a RESUME, a new Slack Socket Mode connection).
 * From where: the channel's checkpoint (the newest message the engines accepted), less an
 * overlap; a channel without one starts where it became served; never further back than
 * `maxAgeMs`. Edits made meanwhile to messages up to `changesLookbackMs` old are caught up
 * too, after the messages, as far as the history shows them (an edit mark); and so are deletes
 * of recent top-level messages people wrote (accepted, and gone from the history read).
 */

import type { ChatAdapter, ConnectionChange, PlatformName } from '../core/chat.js';
import type { InboundConsumer, PlatformEvent, ServedChannel } from '../core/consumer.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { CatchUpCheckpoints } from './checkpoints.js';
import { createCatchUpGate } from './gate.js';
import { acceptRecorded, type CatchUpSettings, type ChannelReadDeps, catchUpChannel, inTurns, servedChannelsOn } from './read-channel.js';
import type { RecentMessages } from './recent-messages.js';

export type { CatchUpSettings } from './read-channel.js';

export const CATCH_UP_DEFAULTS: CatchUpSettings = {
  enabled: true,
  maxPages: 10,
  overlapMs: 10_000,
  maxAgeMs: 24 * 60 * 60 * 1000,
  threadLookbackMs: 24 * 60 * 60 * 1000,
  changesLookbackMs: 60 * 60 * 1000,
  concurrency: 4,
};

export type ServedChannelSource = () => Promise<ServedChannel[]>;

export interface CatchUpDeps {
  adapters: readonly ChatAdapter[];
  /** Who serves which channels: the links, and any engine with `servedChannels`. */
  sources: readonly ServedChannelSource[];
  checkpoints: CatchUpCheckpoints;
  /** Recent messages accepted, to catch up deletes made meanwhile (absent: they are not). */
  recent?: RecentMessages;
  /** The engines every event is handed to, in order; each resolves once it made the event durable. */
  consumers: readonly InboundConsumer[];
  settings: CatchUpSettings;
  logger: Logger;
  now?: () => number;
}

export interface CatchUp {
  /** A live event: in its channel's turn (after any catch-up of it), then the engines. */
  accept(event: PlatformEvent, source: ChatAdapter): Promise<void>;
  /** Before `adapter.start()`: its live events wait for the catch-up that `started` runs. */
  starting(adapter: ChatAdapter): void;
  /** After `adapter.start()`: catches its served channels up (in the background). */
  started(adapter: ChatAdapter): void;
  /** Resolves when no catch-up is running (tests, drains). */
  idle(): Promise<void>;
  /** Stops catching up, lets waiting live events go, saves checkpoints. */
  stop(): Promise<void>;
}

/** The sources of served channels from the engines: those that can say. */
export function servedChannelSources(consumers: readonly InboundConsumer[]): ServedChannelSource[] {
  return consumers.flatMap((consumer) => {
    const list = consumer.servedChannels?.bind(consumer);
    return list ? [list] : [];
  });
}

export function createCatchUp(deps: CatchUpDeps): CatchUp {
  const { checkpoints, settings } = deps;
  const logger = deps.logger.child({ component: 'catch-up' });
  const now = deps.now ?? Date.now;
  const gate = createCatchUpGate();
  const abort = new AbortController();
  /** The hold of each platform while its connection is away. */
  const connectionHolds = new Map<PlatformName, () => void>();
  const runs = new Set<Promise<void>>();
  /** Reservations waiting for a worker: let go at stop, so that nothing waits behind them. */
  const waitingTurns = new Set<() => void>();
  let stopped = false;
  const reader: ChannelReadDeps = {
    checkpoints,
    settings,
    logger,
    now,
    signal: abort.signal,
    stopped: () => stopped,
    accept: (event, source) => acceptAndRecord(event, source),
    ...(deps.recent ? { recent: deps.recent } : {}),
  };

  const acceptAndRecord = (event: PlatformEvent, source: ChatAdapter): Promise<void> => acceptRecorded(deps, event, source);

  function holdConnection(platform: PlatformName): void {
    if (stopped || connectionHolds.has(platform)) return;
    connectionHolds.set(platform, gate.hold(platform));
  }

  function releaseConnection(platform: PlatformName): void {
    const release = connectionHolds.get(platform);
    connectionHolds.delete(platform);
    release?.();
  }

  /**
   * Reserves every served channel of the platform (its live events wait behind the
   * reservation), lifts `hold`, and reads the channels a few at a time.
   */
  async function run(adapter: ChatAdapter, hold: () => void): Promise<void> {
    let reservations: Array<{ served: ServedChannel; after: string | undefined; go: () => void; done: Promise<void> }>;
    try {
      const served = await servedChannelsOn(deps.sources, adapter.platform);
      const afters = await Promise.all(served.map((entry) => checkpoints.get(entry.channel)));
      reservations = served.map((entry, index) => {
        let go: () => void = () => undefined;
        const turn = new Promise<void>((resolve) => (go = resolve));
        waitingTurns.add(go);
        let finish: () => void = () => undefined;
        const finished = new Promise<void>((resolve) => (finish = resolve));
        // The reservation is in place now; it runs when `go` is called, in the worker pool below.
        const done = gate.reserve(entry.channel, async () => {
          await turn;
          try {
            await catchUpChannel(reader, adapter, entry, afters[index]);
          } finally {
            finish();
          }
        });
        void done.catch(() => undefined);
        return { served: entry, after: afters[index], go, done: finished };
      });
    } catch (error) {
      hold();
      logger.error({ platform: adapter.platform, err: describeError(error) }, 'catch-up could not list the served channels; live events go on');
      return;
    }
    hold();
    logger.info({ platform: adapter.platform, channels: reservations.length }, 'catching up');
    await inTurns(reservations, settings.concurrency, async (reservation) => {
      waitingTurns.delete(reservation.go);
      reservation.go();
      await reservation.done;
    });
  }

  function startRun(adapter: ChatAdapter): void {
    if (stopped || !settings.enabled || !adapter.readSince) {
      releaseConnection(adapter.platform);
      return;
    }
    // Live events keep waiting until the reservations are in place.
    const hold = gate.hold(adapter.platform);
    releaseConnection(adapter.platform);
    const task = run(adapter, hold).catch((error: unknown) => logger.error({ platform: adapter.platform, err: describeError(error) }, 'catch-up failed'));
    runs.add(task);
    void task.finally(() => runs.delete(task));
  }

  for (const adapter of deps.adapters) {
    adapter.onConnectionChange?.((change: ConnectionChange) => {
      if (stopped) return;
      if (change.kind === 'interrupted') {
        holdConnection(adapter.platform);
      } else if (change.lost) {
        logger.info({ platform: adapter.platform }, 'connection restored without its gap; catching up');
        startRun(adapter);
      } else {
        releaseConnection(adapter.platform);
      }
    });
  }

  return {
    accept(event, source) {
      if (stopped) return acceptAndRecord(event, source);
      return gate.pass({ platform: event.platform, channelId: event.ref.channelId }, () => acceptAndRecord(event, source));
    },
    starting(adapter) {
      if (settings.enabled && adapter.readSince) holdConnection(adapter.platform);
    },
    started: (adapter) => startRun(adapter),
    async idle() {
      while (runs.size > 0) await Promise.allSettled([...runs]);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      connectionHolds.clear();
      gate.releaseAll();
      for (const go of waitingTurns) go();
      waitingTurns.clear();
      while (runs.size > 0) await Promise.allSettled([...runs]);
      await checkpoints.flush();
      await deps.recent?.flush();
    },
  };
}
