/**
 * The fault matrix (issue 16): every outbound call kind × {5xx, timeout after arrival, reset
 * before arrival}, each injected at the first and the third call of that kind in the
 * scenario; then Redis stopped for 5 s and restarted with its data under two replicas, and
 * Redis restarted without its data. Each cell runs the mirror and the session scenarios
 * under its fault, clears it, waits for everything to settle and counts what was lost or
 * duplicated, and checks that the bridge is ready again.
 *
 * One bridge (and its fakes) serves every cell of one fault: the fault plan counts from
 * when a cell arms it, and each cell's messages carry their own tokens.
 *
 * No test-framework imports: `npm run bench:faults` runs it too.
 */
import { CALL_KINDS, type CallKind, OUTBOUND_FAULTS, type OutboundFault } from '../../../../src/simulators/fault-plan.js';
import { createMirrorDriver, type MirrorDriver, type OriginMessage } from '../mirror-driver.js';
import { checkMirrorRun, mirrorSettled, runMirrorScenario, type ScenarioCheck } from './mirror-scenario.js';
import { type AskPlace, checkSessionRun, discordPlace, runSessionScenario, sessionsSettled, slackPlace } from './session-scenario.js';
import { createSlackSender, type SlackSender } from './slack-events.js';
import { createMatrixWorld, type MatrixWorld } from './world.js';

export interface CellResult {
  cell: string;
  survived: boolean;
  lost: number;
  duplicated: number;
  /** Faults the plan actually applied in this cell. */
  injected: number;
  ready: boolean;
  problems: string[];
  ms: number;
}

export interface MatrixReport {
  cells: CellResult[];
  faultsTried: number;
  survived: number;
  lost: number;
  duplicated: number;
}

export interface MatrixOptions {
  /** Only these outbound faults / call kinds (default: all). */
  faults?: readonly OutboundFault[];
  calls?: readonly CallKind[];
  /** Run the Redis cells (needs `redis-server` on the PATH; default true). */
  redis?: boolean;
  /** Called after each cell (progress for the bench). */
  onCell?: (result: CellResult) => void;
}

const STEP_MAX_MS = 15_000;
const SETTLE_MAX_MS = 25_000;
const OCCURRENCES = [1, 3] as const;

export interface Rig {
  world: MatrixWorld;
  driver: MirrorDriver;
  sender: SlackSender;
  places: AskPlace[];
}

export async function startRig(options: Parameters<typeof createMatrixWorld>[0] = {}): Promise<Rig> {
  const world = await createMatrixWorld(options);
  const driver = createMirrorDriver(world.mirror, { slackAckTimeoutMs: 2_000 });
  const sender = createSlackSender(world.mirror.slack, { prefix: 'FM', retryAfterMs: 2_000 });
  return { world, driver, sender, places: [slackPlace(world.mirror.slack, sender), discordPlace(world.mirror.discord)] };
}

export async function stopRig(rig: Rig): Promise<void> {
  rig.sender.close();
  rig.driver.close();
  await rig.world.close();
}

async function until(predicate: () => boolean | Promise<boolean>, maxMs: number): Promise<boolean> {
  const started = Date.now();
  for (;;) {
    if (await predicate()) return true;
    if (Date.now() - started >= maxMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface CellFault {
  /** Awaited before the scenarios start. */
  before?: () => Promise<void>;
  /** Injects the fault; runs alongside the scenarios (a Redis outage may outlast them). */
  during: () => Promise<void> | void;
  /** Clears it, once the scenarios settled under it (or `STEP_MAX_MS` passed). */
  clear: () => Promise<void> | void;
  /** `unavailable`: the store was down, so "temporarily unavailable, try again" is an honest answer. */
  noticeAllowed: { create: boolean; followUp: boolean; unavailable?: boolean };
  /** Faults of the plan this cell must have applied (0 for Redis cells). */
  expectInjected: number;
  /** Messages written before the scenarios (e.g. while the bridge was down) that must arrive too. */
  extra?: () => OriginMessage[];
}

/**
 * Runs both scenarios once under `fault`, keeps it until they settled (so that it meets the
 * late calls too: edits, deletes, answers), clears it, waits for the end state and judges.
 */
export async function runCell(rig: Rig, cell: string, fault: CellFault): Promise<CellResult> {
  const started = Date.now();
  const injectedBefore = rig.world.plan.injected.length;
  await fault.before?.();
  const duringDone = Promise.resolve(fault.during());
  const [mirrorRun, ...sessionRuns] = await Promise.all([
    runMirrorScenario(rig.world.mirror, rig.driver, rig.sender, cell, STEP_MAX_MS),
    ...rig.places.map((place) => runSessionScenario(place, cell, STEP_MAX_MS)),
  ]);
  mirrorRun.kept.push(...(fault.extra?.() ?? []));
  // The checker reads per-channel order from the order of this list: origin order.
  mirrorRun.kept.sort((a, b) => a.seq - b.seq);
  const settled = () => mirrorSettled(rig.world.mirror, mirrorRun) && sessionRuns.every((run) => sessionsSettled(run));
  await until(settled, STEP_MAX_MS);
  await duringDone;
  await fault.clear();
  await until(settled, SETTLE_MAX_MS);
  // A late duplicate would show up now.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const ready = await until(() => rig.world.ready(), 15_000);
  const checks: ScenarioCheck[] = [checkMirrorRun(rig.world.mirror, mirrorRun), ...sessionRuns.map((run) => checkSessionRun(rig.world.blocks, run, fault.noticeAllowed))];
  const lost = checks.reduce((sum, check) => sum + check.lost, 0);
  const duplicated = checks.reduce((sum, check) => sum + check.duplicated, 0);
  const problems = checks.flatMap((check) => check.problems);
  const injected = rig.world.plan.injected.length - injectedBefore;
  if (injected < fault.expectInjected) problems.push(`the fault fired ${injected} times, expected at least ${fault.expectInjected}`);
  if (!ready) problems.push(`not ready again: ${rig.world.notReady ?? ''}`);
  return { cell, survived: problems.length === 0, lost, duplicated, injected, ready, problems, ms: Date.now() - started };
}

/**
 * History is read when the bridge (re)starts: a history cell restarts the bridge, with a
 * message on each platform written while it is down, so that its first history reads fail.
 */
async function restartWithDowntimeMessages(rig: Rig): Promise<OriginMessage[]> {
  rig.driver.bridgeDown();
  await rig.world.stopReplica(0);
  const written = [rig.driver.send('slack', 0), rig.driver.send('discord', 0)];
  await rig.world.startReplica(0);
  rig.driver.bridgeUp();
  await rig.world.mirror.slack.waitForSocket();
  return written;
}

/** One outbound cell: the plan fails the 1st and 3rd call of `call` with `fault`. */
export function outboundCell(rig: Rig, call: CallKind, fault: OutboundFault): Promise<CellResult> {
  const timedOutBlocks = fault === 'timeout-after-arrival';
  const restarts = call === 'slack.history' || call === 'discord.history';
  let downtime: OriginMessage[] = [];
  return runCell(rig, `${call}:${fault}`, {
    async before() {
      rig.world.plan.arm({ call, fault, occurrences: OCCURRENCES });
      if (restarts) downtime = await restartWithDowntimeMessages(rig);
    },
    during: () => undefined,
    clear: () => rig.world.plan.clear(),
    noticeAllowed: { create: timedOutBlocks && call === 'blocks.create', followUp: timedOutBlocks && call === 'blocks.follow-up' },
    expectInjected: 1,
    extra: () => downtime,
  });
}

export function summarizeMatrix(cells: CellResult[]): MatrixReport {
  return {
    cells,
    faultsTried: cells.length,
    survived: cells.filter((cell) => cell.survived).length,
    lost: cells.reduce((sum, cell) => sum + cell.lost, 0),
    duplicated: cells.reduce((sum, cell) => sum + cell.duplicated, 0),
  };
}

/** The outbound part of the matrix: one rig per fault, every call kind on it in turn. */
export async function runOutboundMatrix(options: MatrixOptions = {}): Promise<CellResult[]> {
  const cells: CellResult[] = [];
  for (const fault of options.faults ?? OUTBOUND_FAULTS) {
    const rig = await startRig();
    try {
      for (const call of options.calls ?? CALL_KINDS) {
        const result = await outboundCell(rig, call, fault);
        cells.push(result);
        options.onCell?.(result);
      }
    } finally {
      await stopRig(rig);
    }
  }
  return cells;
}
