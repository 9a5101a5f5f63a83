/**
 * Benchmark of the channel mirror (npm run bench:mirror), issue 4 §6. The bridge runs as a
 * child process as production runs it: `npm run bench:mirror` compiles first and sets
 * BRIDGE_COMPILED=1, so the child is dist/main.js under plain Node with the production Node
 * flags (src/app/node-flags.ts), SQLite store in a temp dir; the peak RSS reported is the
 * bridge's own (VmHWM from /proc/<pid>/status). Run `tsx bench/mirror.ts` without
 * BRIDGE_COMPILED to measure src/main.ts through tsx instead (its transpiling adds RSS and
 * start-up CPU). This process hosts the
 * Fluxra, Slack (Socket Mode) and Discord fakes with 20 link groups (a Slack channel and a
 * Discord channel linked to one Fluxra conversation each), sends 5,000 people's messages at
 * a steady 100 messages/s (alternately Slack and Discord, round-robin over the groups) and,
 * meanwhile, one agent post in Fluxra for every 10 of them (500 at 10/s).
 *
 * Settings that differ from production defaults: the Fluxra rate budget is raised to
 * 1,000 requests/s and 64 in flight (Fluxra documents no numbers; the default 20/s is below
 * this traffic); discord.js's own cap on REST requests is raised from Discord's global 50/s
 * per bot to 1,000/s (this run posts 60 copies a second to Discord, and the fake has no
 * global limit); the mirror's active poll interval is BENCH_POLL_MS (default 500 ms).
 *
 * Figures:
 * - to_fluxra_*: from the moment the fake hands the event to the bridge (Socket Mode
 *   envelope written, gateway dispatch) to the Fluxra fake creating the mirrored message;
 * - from_fluxra_p99_ms: from an agent's post to its copy reaching Slack (chat.postMessage)
 *   or Discord (webhook message), both copies counted;
 * - lost: expected copies not seen once traffic stopped and the bridge had up to 5 minutes
 *   to drain its backlog; duplicated: extra copies plus echoes back to their origin.
 * The measured traffic starts once the bridge has finished its start-up work (catch-up of
 * every channel, the first read of every conversation), so the figures are the steady state.
 * BENCH_DUMP=FILE writes each people's message's send time and to-Fluxra latency there.
 * The last line is one JSON object.
 */
import { readFileSync } from 'node:fs';
import { recordArrivals } from '../test/e2e/support/arrivals.js';
import { startBridgeChild } from '../test/e2e/support/bridge-child.js';
import { checkMirror, summarize } from '../test/e2e/support/mirror-checker.js';
import { createMirrorDriver, type Side } from '../test/e2e/support/mirror-driver.js';
import { createMirrorWorld } from '../test/e2e/support/mirror-world.js';
import { waitForQuiescence } from '../test/e2e/support/quiesce.js';

const GROUPS = 20;
const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 5_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 100);
const AGENT_EVERY = 10;
const POLL_MS = Number(process.env['BENCH_POLL_MS'] ?? 500);

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** User + system CPU seconds of a live process (Linux /proc; clock ticks assumed 100/s). */
function processCpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const log = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

const world = await createMirrorWorld({ groups: GROUPS, agentsPerGroup: 2 });
await world.seedLinks();
const config = world.config({
  mirror: { pollIntervalMs: POLL_MS, idlePollIntervalMs: Math.max(POLL_MS, 2_000) },
  fluxra: { rateLimit: { requestsPerSecond: 1_000, maxConcurrent: 64 } },
  // The fake has no global limit; Discord's 50/s per bot is below this run's 60 posts/s to Discord.
  discord: { globalRequestsPerSecond: 1_000 },
  // The production default level: what it costs is part of the figures.
  log: { level: 'info' },
});
const bridge = startBridgeChild({ config, env: world.env, dir: world.dir, maxLines: 5_000 });
let exitCode = 0;
try {
  await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started', 60_000);
  // Start-up work (catching up every channel's history, the first read of each conversation)
  // is over before the measured traffic starts: the figures are the steady state.
  // waitForLog shows each line once, from the first: count them as they come.
  let caughtUp = 0;
  let following = 0;
  await bridge.waitForLog(
    (line) => {
      if (line['msg'] === 'channel caught up') caughtUp += 1;
      if (line['msg'] === 'started following a conversation from now') following += 1;
      return caughtUp >= 2 * GROUPS && following >= GROUPS;
    },
    'start-up catch-up and first reads',
    60_000,
  );
  const bridgeReadyAt = Date.now();

  const arrivals = recordArrivals(world);
  const driver = createMirrorDriver(world);
  log(`bridge pid ${bridge.pid}; driving ${MESSAGES} messages at ${RATE}/s over ${GROUPS} link groups, poll interval ${POLL_MS} ms`);

  // Steady rate: each message is due at t0 + i / rate, whatever the previous one cost.
  const t0 = Date.now();
  for (let i = 0; i < MESSAGES; i += 1) {
    const due = t0 + (i * 1_000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const side: Side = i % 2 === 0 ? 'slack' : 'discord';
    driver.send(side, i % GROUPS);
    if (i % AGENT_EVERY === AGENT_EVERY - 1) driver.send('fluxra', Math.floor(i / AGENT_EVERY) % GROUPS);
  }
  const driveMs = Date.now() - t0;
  log(`drove ${driver.messages.length} messages in ${driveMs} ms`);

  const settled = await waitForQuiescence(world, driver.messages, { stableMs: 3_000, maxMs: 300_000 });
  const rssMb = bridge.peakRssMb();
  const cpuSeconds = processCpuSeconds(bridge.pid);
  const report = checkMirror(world, driver.messages);
  log(`settled ${settled.complete ? 'complete' : 'INCOMPLETE'} after ${settled.waitedMs} ms`);
  if (report.problems.length > 0) log(summarize(report, 10));

  const toFluxra: number[] = [];
  // Split by when the message was sent: a tail that grows through the run is a backlog, one
  // in the first half only is start-up (warm-up, first link and cursor reads, catch-up).
  const toFluxraFirstHalf: number[] = [];
  const toFluxraSecondHalf: number[] = [];
  const crossPost: number[] = [];
  const toFluxraBySide: Record<'slack' | 'discord', number[]> = { slack: [], discord: [] };
  const fromFluxra: number[] = [];
  const fromFluxraBySide: Record<'slack' | 'discord', number[]> = { slack: [], discord: [] };
  for (const message of driver.messages) {
    if (message.sentAt === undefined) continue;
    if (message.side === 'fluxra') {
      for (const side of ['slack', 'discord'] as const) {
        const at = arrivals.at(message.token, side);
        if (at !== undefined) fromFluxra.push(at - message.sentAt);
        if (at !== undefined) fromFluxraBySide[side].push(at - message.sentAt);
      }
      continue;
    }
    const atFluxra = arrivals.at(message.token, 'fluxra');
    if (atFluxra !== undefined) toFluxra.push(atFluxra - message.sentAt);
    if (atFluxra !== undefined) toFluxraBySide[message.side].push(atFluxra - message.sentAt);
    if (atFluxra !== undefined) (message.seq < driver.messages.length / 2 ? toFluxraFirstHalf : toFluxraSecondHalf).push(atFluxra - message.sentAt);
    const atOther = arrivals.at(message.token, message.side === 'slack' ? 'discord' : 'slack');
    if (atOther !== undefined) crossPost.push(atOther - message.sentAt);
  }
  if (process.env['BENCH_DUMP']) {
    const rows = driver.messages
      .filter((m) => m.side !== 'fluxra' && m.sentAt !== undefined)
      .map((m) => ({ seq: m.seq, side: m.side, group: m.group, t: (m.sentAt ?? 0) - t0, toFluxra: (arrivals.at(m.token, 'fluxra') ?? NaN) - (m.sentAt ?? 0) }));
    (await import('node:fs')).writeFileSync(process.env['BENCH_DUMP'], JSON.stringify({ readyToDriveMs: t0 - bridgeReadyAt, t0, rows }));
  }
  arrivals.close();
  driver.close();

  const details = {
    platform_messages: MESSAGES,
    agent_messages: driver.messages.length - MESSAGES,
    groups: GROUPS,
    rate_per_s: RATE,
    poll_interval_ms: POLL_MS,
    drive_ms: driveMs,
    settle_ms: settled.waitedMs,
    // CPU the bridge used (user + system) for the whole run: comparable across runs on a loaded machine.
    bridge_cpu_s: cpuSeconds,
    compiled: process.env['BRIDGE_COMPILED'] === '1',
    complete: settled.complete,
    to_fluxra_max_ms: percentile(toFluxra, 100),
    to_fluxra_p99_first_half_ms: percentile(toFluxraFirstHalf, 99),
    to_fluxra_p99_second_half_ms: percentile(toFluxraSecondHalf, 99),
    to_fluxra_p99_from_slack_ms: percentile(toFluxraBySide.slack, 99),
    to_fluxra_p99_from_discord_ms: percentile(toFluxraBySide.discord, 99),
    cross_post_p50_ms: percentile(crossPost, 50),
    cross_post_p99_ms: percentile(crossPost, 99),
    from_fluxra_p50_ms: percentile(fromFluxra, 50),
    from_fluxra_p99_to_slack_ms: percentile(fromFluxraBySide.slack, 99),
    from_fluxra_p99_to_discord_ms: percentile(fromFluxraBySide.discord, 99),
    misthreaded: report.misthreaded,
    order_violations: report.orderViolations,
    unknown_posts: report.unknown,
  };
  log(`details ${JSON.stringify(details)}`);
  const result = {
    messages: driver.messages.length,
    lost: report.missing,
    duplicated: report.duplicated + report.echoes,
    to_fluxra_p50_ms: percentile(toFluxra, 50),
    to_fluxra_p99_ms: percentile(toFluxra, 99),
    from_fluxra_p99_ms: percentile(fromFluxra, 99),
    rss_mb: rssMb === undefined ? null : Math.round(rssMb * 10) / 10,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  log(`benchmark failed: ${String(error)}\n${bridge.stderr().slice(-3000)}`);
  exitCode = 1;
} finally {
  const stopped = bridge.killAndWait('SIGTERM');
  const timer = setTimeout(() => bridge.child.kill('SIGKILL'), 15_000);
  await stopped;
  clearTimeout(timer);
  await world.close();
}
process.exit(exitCode);
