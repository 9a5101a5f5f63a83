/**
 * What only the leader runs (the outbox workers, the Fluxra poller, the turn scheduler, the
 * Discord gateway, the periodic outbox scan): started in order when this replica becomes
 * leader, stopped in reverse order when it stops leading. The leadership awaits each change,
 * so a new term never starts while the previous one's duties are still stopping, and the
 * lock is released only once they have stopped.
 *
 * A duty that fails to start makes the replica give up the lead (the duties already started
 * are stopped): another replica may do better (e.g. its Discord login works). Without a
 * cluster there is no one else: the failure is kept for `start()` to report.
 */
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Leadership, LeadershipChange } from './leadership.js';

export interface Duty {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LeaderDutiesOptions {
  leadership: Leadership;
  duties: readonly Duty[];
  logger: Logger;
}

export interface LeaderDuties {
  /** Names of the duties running now. */
  running(): string[];
  /** The error of the last failed start, until the next successful one. */
  readonly lastStartError: unknown;
  /** Stops listening (the leadership's own stop stops the duties). */
  detach(): void;
}

export function createLeaderDuties(options: LeaderDutiesOptions): LeaderDuties {
  const { leadership, duties } = options;
  const logger = options.logger.child({ component: 'leader-duties' });
  const started: Duty[] = [];
  let lastStartError: unknown;

  async function stopAll(): Promise<void> {
    for (const duty of started.splice(0).reverse()) {
      try {
        await duty.stop();
      } catch (error) {
        logger.warn({ duty: duty.name, err: describeError(error) }, 'a leader duty did not stop cleanly');
      }
    }
  }

  async function onChange(change: LeadershipChange): Promise<void> {
    if (change.role === 'follower') {
      await stopAll();
      logger.info({ fence: change.fence, reason: change.reason }, 'leader duties stopped');
      return;
    }
    for (const duty of duties) {
      try {
        await duty.start();
        started.push(duty);
      } catch (error) {
        lastStartError = error;
        logger.error({ duty: duty.name, fence: change.fence, err: describeError(error) }, 'a leader duty failed to start; giving up the lead');
        await stopAll();
        // Not awaited: resigning delivers a change, which waits for this one to finish.
        if (leadership.mode === 'clustered') void leadership.resign(`${duty.name} failed to start`).catch(() => undefined);
        return;
      }
    }
    lastStartError = undefined;
    logger.info({ fence: change.fence, duties: started.map((duty) => duty.name) }, 'leader duties running');
  }

  const detach = leadership.onChange(onChange);
  return {
    running: () => started.map((duty) => duty.name),
    get lastStartError() {
      return lastStartError;
    },
    detach,
  };
}

/** A duty that runs `run` every `everyMs` while leading (the safety-net scan of the outboxes). */
export function periodicDuty(name: string, everyMs: number, run: () => Promise<void>, logger: Logger): Duty {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  return {
    name,
    async start() {
      clearInterval(timer);
      timer = setInterval(() => {
        if (inFlight) return;
        inFlight = run()
          .catch((error: unknown) => logger.warn({ duty: name, err: describeError(error) }, 'periodic leader task failed'))
          .finally(() => {
            inFlight = undefined;
          });
      }, everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
  };
}
