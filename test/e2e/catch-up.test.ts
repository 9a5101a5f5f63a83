/**
 * Catch-up after downtime (src/catch-up/), end to end: the bridge runs as a child process
 * against the Fluxra, Slack (Socket Mode) and Discord fakes, with one Slack channel and
 * one Discord channel linked to one conversation. It is stopped; people go on writing on
 * both platforms, top-level and in threads started before the stop; then it starts again.
 * Neither platform hands those messages over as events (Discord gives a new gateway session
 * nothing of the past, and the driver plays a downtime longer than Slack's retries), so
 * only the catch-up's history reads can bring them, and they must reach Fluxra and the
 * other platform exactly once, in their threads, in order, before later live messages.
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type BridgeChild, startBridgeChild } from './support/bridge-child.js';
import { checkMirror, summarize } from './support/mirror-checker.js';
import { createMirrorDriver, type MirrorDriver, type OriginMessage } from './support/mirror-driver.js';
import { createMirrorWorld, type MirrorWorld } from './support/mirror-world.js';
import { waitForQuiescence } from './support/quiesce.js';

let world: MirrorWorld | undefined;
let driver: MirrorDriver | undefined;
const bridges: BridgeChild[] = [];

after(async () => {
  driver?.close();
  for (const bridge of bridges) if (!bridge.exited()) await bridge.killAndWait('SIGTERM');
  await world?.close();
});

function checked(activeWorld: MirrorWorld, messages: readonly OriginMessage[]): Record<string, number> {
  const report = checkMirror(activeWorld, messages);
  return {
    expected: report.expected,
    delivered: report.delivered,
    missing: report.missing,
    duplicated: report.duplicated,
    echoes: report.echoes,
    unknown: report.unknown,
    misthreaded: report.misthreaded,
    orderViolations: report.orderViolations,
  };
}

test('messages posted on Slack and Discord while the bridge is stopped reach Fluxra and the other platform exactly once, in order, after it starts again', {
  timeout: 120_000,
}, async (t) => {
  world = await createMirrorWorld({ groups: 1, agentsPerGroup: 1 });
  await world.seedLinks();
  const activeWorld = world;
  const config = world.config({
    mirror: { pollIntervalMs: 250, idlePollIntervalMs: 1_000, retryBaseMs: 200, retryMaxMs: 2_000 },
    fluxra: { rateLimit: { requestsPerSecond: 200, maxConcurrent: 16, backoffMs: 500 } },
  });
  const start = async (): Promise<BridgeChild> => {
    const bridge = startBridgeChild({ config, env: activeWorld.env, dir: activeWorld.dir });
    bridges.push(bridge);
    await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started', 60_000);
    return bridge;
  };
  const settle = async (messages: readonly OriginMessage[]): Promise<void> => {
    const settled = await waitForQuiescence(activeWorld, messages, { stableMs: 1_500, maxMs: 45_000 });
    t.diagnostic(`settled ${settled.complete ? 'complete' : 'INCOMPLETE'} after ${settled.waitedMs} ms`);
  };

  const first = await start();
  driver = createMirrorDriver(activeWorld, { slackRetriesAfterDowntime: false });
  const activeDriver = driver;
  // Live traffic first: roots whose threads go on while the bridge is away.
  const slackRoot = activeDriver.send('slack', 0);
  const discordRoot = activeDriver.send('discord', 0);
  activeDriver.send('slack', 0, slackRoot);
  await settle(activeDriver.messages);
  assert.deepEqual(checked(activeWorld, activeDriver.messages), {
    expected: 6,
    delivered: 6,
    missing: 0,
    duplicated: 0,
    echoes: 0,
    unknown: 0,
    misthreaded: 0,
    orderViolations: 0,
  });

  assert.equal(await first.killAndWait('SIGTERM'), 0);
  activeDriver.bridgeDown();
  const whileDown = [
    activeDriver.send('slack', 0),
    activeDriver.send('discord', 0),
    activeDriver.send('slack', 0, slackRoot),
    activeDriver.send('discord', 0, discordRoot),
    activeDriver.send('discord', 0),
    activeDriver.send('slack', 0),
    activeDriver.send('discord', 0, discordRoot),
    activeDriver.send('slack', 0, slackRoot),
  ];

  const second = await start();
  activeDriver.bridgeUp();
  // Live again: these come as events and must land after what was caught up.
  activeDriver.send('slack', 0);
  activeDriver.send('discord', 0);
  await settle(activeDriver.messages);

  assert.equal(activeDriver.stats.slackNeverDelivered, 4, 'Slack never sent the messages written while down as events');
  assert.equal(activeDriver.stats.discordWhileDown, 4);
  assert.ok(whileDown.every((message) => message.originId !== undefined));
  assert.deepEqual(
    checked(activeWorld, activeDriver.messages),
    { expected: 26, delivered: 26, missing: 0, duplicated: 0, echoes: 0, unknown: 0, misthreaded: 0, orderViolations: 0 },
    `${summarize(checkMirror(activeWorld, activeDriver.messages))}\n${second.stderr().slice(-2000)}`,
  );
  const caughtUp = second.lines.filter((line) => line['msg'] === 'channel caught up');
  assert.equal(caughtUp.length, 2, 'one catch-up per linked channel');
});
