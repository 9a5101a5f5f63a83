/**
 * A bridge whose start fails half-way closes what it opened (issue 16, item 9): the Slack
 * HTTP receiver is listening and the health server is up when the Discord gateway refuses
 * the token; `start` rejects, and both ports are free again without anyone calling `stop`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createBridge } from '../../src/app/bridge.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMirrorWorld } from './support/mirror-world.js';

/** Listens on `port` (0: any) on loopback and closes again; rejects with EADDRINUSE when it is taken. */
async function listenOnce(port: number): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : port;
}

test('a start that fails at the Discord gateway (token refused) closes the Slack receiver and the health server it had opened', async () => {
  const world = await createMirrorWorld({ groups: 1 });
  const dir = await mkdtemp(join(tmpdir(), 'bridge-start-failure-'));
  try {
    const slackPort = await listenOnce(0);
    const healthPort = await listenOnce(0);
    const config = world.config({ slack: { mode: 'http', port: slackPort }, health: { port: healthPort, host: '127.0.0.1' } });
    const path = join(dir, 'bridge.json');
    await writeFile(path, JSON.stringify(config));
    const { SLACK_APP_TOKEN: _appToken, ...env } = world.env;
    const loaded = loadConfig({
      path,
      env: { ...env, SLACK_SIGNING_SECRET: 'start-failure-signing-secret', DISCORD_TOKEN: 'MTk4NjIyNDgzNDcxOTI1MjQ4.Mx2FMQ.NotTheTokenTheFakeKnowsAtAll' },
    });

    const bridge = await createBridge(loaded, { logger: silentLogger() });
    await assert.rejects(bridge.start(), 'the refused token fails the start');

    // Nobody called stop: the failed start closed what it had opened.
    assert.equal(await listenOnce(slackPort), slackPort, 'the Slack receiver port is free again');
    assert.equal(await listenOnce(healthPort), healthPort, 'the health port is free again');
    await bridge.stop(); // still safe to call
  } finally {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
});
