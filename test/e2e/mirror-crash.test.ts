/**
 * Issue 4 §4, for real: the bridge runs as a child process (src/main.ts, SQLite store in a
 * temp dir) against the Fluxra, Slack (Socket Mode) and Discord fakes in this process, with
 * one Slack channel and one Discord channel linked to one Fluxra conversation. 500 messages
 * are driven through all three sides (people on Slack and Discord, agents in Fluxra,
 * interleaved, some in threads); at a seeded point in the stream, with deliveries in
 * flight, the bridge is killed with SIGKILL and started again on the same store and fakes.
 * The platforms redeliver what it missed as they would (see support/mirror-driver.ts: Slack
 * retries unacknowledged envelopes; Discord replays nothing to the new gateway session, so
 * what the bridge missed there comes only from its catch-up, src/catch-up/). Once it has
 * settled, every message must be on every other side
 * exactly once, in its thread, in origin order per source channel, and nothing may come
 * back to where it came from.
 *
 * The seed is printed; MIRROR_CRASH_SEED=<n> repeats a run's choices.
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type BridgeChild, startBridgeChild } from './support/bridge-child.js';
import { checkMirror, countDelivered, summarize } from './support/mirror-checker.js';
import { createMirrorDriver, type MirrorDriver, type OriginMessage, SIDES } from './support/mirror-driver.js';
import { createMirrorWorld, type MirrorWorld } from './support/mirror-world.js';
import { pick, randomInt, seededRandom } from './support/prng.js';
import { waitForQuiescence } from './support/quiesce.js';

const MESSAGES = 500;
/**
 * Pause between two messages: about 40 messages/s, more than one channel drains here, so a
 * backlog is in flight at the kill, and slow enough that traffic goes on after the restart.
 */
const PACE_MS = 25;
const THREAD_REPLY_SHARE = 0.15;
const SEED = Number(process.env['MIRROR_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

let world: MirrorWorld | undefined;
let driver: MirrorDriver | undefined;
const bridges: BridgeChild[] = [];

after(async () => {
  driver?.close();
  for (const bridge of bridges) {
    if (bridge.exited()) continue;
    const stopped = bridge.killAndWait('SIGTERM');
    const timer = setTimeout(() => bridge.child.kill('SIGKILL'), 15_000);
    await stopped;
    clearTimeout(timer);
  }
  await world?.close();
});

/** The bridges' warnings and errors, for a failure message: they usually say what went wrong. */
function complaints(all: readonly BridgeChild[]): string {
  return all
    .flatMap((bridge, index) =>
      bridge.lines.filter((line) => typeof line['level'] === 'number' && line['level'] >= 40).map((line) => `#${index + 1} ${JSON.stringify(line).slice(0, 400)}`),
    )
    .slice(-30)
    .join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('three-way mirror survives SIGKILL mid-stream: every message exactly once on every other side, in order, no echoes', { timeout: 180_000 }, async (t) => {
  t.diagnostic(`seed ${SEED} (MIRROR_CRASH_SEED=${SEED} repeats it)`);
  const random = seededRandom(SEED);
  const killAfter = randomInt(random, 150, 350);

  world = await createMirrorWorld({ groups: 1, agentsPerGroup: 2 });
  await world.seedLinks();
  const config = world.config({
    // Quick polling and retries keep the run short; the rate budget is raised above the traffic.
    mirror: { pollIntervalMs: 250, idlePollIntervalMs: 1_000, retryBaseMs: 200, retryMaxMs: 2_000 },
    fluxra: { rateLimit: { requestsPerSecond: 200, maxConcurrent: 16, backoffMs: 500 } },
    log: { level: 'info' },
  });
  const start = async (): Promise<BridgeChild> => {
    const bridge = startBridgeChild({ config, env: world?.env ?? {}, dir: world?.dir, maxLines: 20_000 });
    bridges.push(bridge);
    await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started', 60_000);
    return bridge;
  };

  const first = await start();
  // Discord messages the bridge had not made durable, or that were written while it was down,
  // come back only through its catch-up: the driver replays nothing.
  driver = createMirrorDriver(world);
  const activeDriver = driver;
  const activeWorld = world;

  let recovered: Promise<BridgeChild> | undefined;
  let inFlightAtKill = 0;
  let killSignal: NodeJS.Signals | null = null;
  for (let i = 0; i < MESSAGES; i += 1) {
    const side = pick(random, SIDES) ?? 'slack';
    const roots = activeDriver.messages.filter((m) => m.side === side && m.root === undefined).slice(-20);
    const root: OriginMessage | undefined = roots.length > 0 && random() < THREAD_REPLY_SHARE ? pick(random, roots) : undefined;
    activeDriver.send(side, 0, root);
    if (i + 1 === killAfter) {
      const { expected, delivered } = countDelivered(activeWorld, activeDriver.messages);
      inFlightAtKill = expected - delivered;
      first.child.kill('SIGKILL');
      activeDriver.bridgeDown();
      recovered = (async () => {
        await first.exit;
        killSignal = first.child.signalCode;
        const second = await start();
        activeDriver.bridgeUp();
        return second;
      })();
      // Awaited after the stream; marked handled now so that a failed restart is reported there.
      recovered.catch(() => undefined);
      t.diagnostic(`killed after message ${killAfter} with ${inFlightAtKill} copies not yet delivered`);
    }
    await sleep(PACE_MS);
  }
  assert.ok(recovered, 'the kill point is inside the stream');
  const second = await recovered;
  assert.equal(killSignal, 'SIGKILL');
  assert.ok(inFlightAtKill > 0, 'deliveries were in flight when the bridge was killed');

  const settled = await waitForQuiescence(activeWorld, activeDriver.messages, { stableMs: 3_000, maxMs: 90_000 });
  const report = checkMirror(activeWorld, activeDriver.messages);
  const { slackEnvelopes, slackRedelivered, discordWhileDown } = activeDriver.stats;
  t.diagnostic(
    `settled ${settled.complete ? 'complete' : 'INCOMPLETE'}; Slack envelopes ${slackEnvelopes} (${slackRedelivered} redelivered), Discord messages written while down ${discordWhileDown}`,
  );
  for (const line of summarize(report, 5).split('\n')) t.diagnostic(line);
  const threaded = activeDriver.messages.filter((m) => m.root !== undefined).length;
  assert.ok(threaded > 0, 'some messages were thread replies');
  assert.equal(activeDriver.messages.length, MESSAGES);
  assert.deepEqual(
    {
      expected: report.expected,
      delivered: report.delivered,
      missing: report.missing,
      duplicated: report.duplicated,
      echoes: report.echoes,
      unknown: report.unknown,
      misthreaded: report.misthreaded,
      orderViolations: report.orderViolations,
    },
    { expected: MESSAGES * 2, delivered: MESSAGES * 2, missing: 0, duplicated: 0, echoes: 0, unknown: 0, misthreaded: 0, orderViolations: 0 },
    `${summarize(report)}\n--- what the bridges said (warnings and errors, last 30) ---\n${complaints(bridges)}\n--- stderr (tail) ---\n${second.stderr().slice(-2000)}`,
  );
});
