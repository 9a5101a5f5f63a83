/**
 * /readyz names what is broken: the bridge (child process) against the fakes and a private
 * Redis answers 503 with the failing parts when the Blocks key is wrong, when the Discord
 * gateway is gone, and when Redis is gone, while /healthz keeps answering 200.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createFakeBlocks, type FakeBlocks } from '../../src/simulators/blocks.js';
import { type PrivateRedis, readiness, startPrivateRedis, waitFor } from './ops-harness.js';
import { type BridgeChild, startBridgeChild } from './support/bridge-child.js';
import { createMirrorWorld, type MirrorWorld } from './support/mirror-world.js';

let world: MirrorWorld;
let blocks: FakeBlocks;
let redis: PrivateRedis;
let bridge: BridgeChild;
let base: string;

before(async () => {
  world = await createMirrorWorld({ groups: 1 });
  blocks = await createFakeBlocks();
  redis = await startPrivateRedis('readiness-redis-pass');
  bridge = startBridgeChild({
    config: world.config({ blocks: { baseUrl: blocks.url } }),
    env: { ...world.env, BLOCKS_API_KEY: 'blk_not_the_right_key_42', REDIS_URL: redis.url },
  });
  const started = await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started');
  base = `http://127.0.0.1:${String(started['healthPort'])}`;
});

after(async () => {
  // Redis is still gone (the last test stops it): shutdown steps are bounded, so the bridge exits anyway.
  bridge.child.kill('SIGTERM');
  assert.equal(await bridge.exit, 0, bridge.stderr());
  assert.ok(
    bridge.lines.some((line) => line['msg'] === 'bridge stopped'),
    'it stopped through its shutdown steps',
  );
  await blocks.close();
  await world.close();
});

test('a wrong Blocks key: 503 naming blocks only, with the reason', async () => {
  const ready = await readiness(base);
  assert.equal(ready.status, 503);
  assert.deepEqual(ready.body.failing, ['blocks']);
  assert.match(ready.body.checks['blocks'] ?? '', /refused the API key \(HTTP 40[13]\)/);
  for (const part of ['store', 'slack', 'discord', 'fluxra', 'redis', 'started']) assert.equal(ready.body.checks[part], 'ok', part);
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
});

test('the Discord gateway gone: discord joins the failing parts', async () => {
  await world.discord.close();
  const ready = await waitFor(async () => {
    const answer = await readiness(base);
    return answer.body.failing.includes('discord') ? answer : undefined;
  }, 'discord failing');
  assert.equal(ready.status, 503);
  assert.match(ready.body.checks['discord'] ?? '', /not connected to discord/);
  assert.equal(ready.body.checks['slack'], 'ok');
});

test('Redis gone: redis joins the failing parts', async () => {
  await redis.stop();
  const ready = await waitFor(async () => {
    const answer = await readiness(base);
    return answer.body.failing.includes('redis') ? answer : undefined;
  }, 'redis failing');
  assert.equal(ready.status, 503);
  assert.match(ready.body.checks['redis'] ?? '', /Redis at 127\.0\.0\.1:\d+ is not connected/);
  assert.equal((await fetch(`${base}/healthz`)).status, 200, 'alive all the same');
});
