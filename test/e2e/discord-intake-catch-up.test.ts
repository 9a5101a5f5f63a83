/**
 * A Discord message whose acceptance never succeeded before the process ended is read back
 * from history at the next start, exactly once. The real discord.js client against the fake
 * Discord; the real catch-up and its checkpoints (SQLite); an accept that makes each event
 * durable in a real Redis store that is cut off from Redis (a relay in front of it), with
 * the seen-before markers the engines use to drop what they already took.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CATCH_UP_DEFAULTS, type CatchUp, createCatchUp, createCatchUpCheckpoints } from '../../src/catch-up/index.js';
import { type ChatAdapter, isInteraction } from '../../src/core/chat.js';
import type { PlatformEvent } from '../../src/core/consumer.js';
import { silentLogger } from '../../src/core/logger.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/platforms/discord/index.js';
import { createFakeDiscord, type FakeDiscord } from '../../src/simulators/discord.js';
import { createStore, type Store } from '../../src/store/index.js';
import { APP_ID, CHANNEL_ID, GUILD_ID, TOKEN } from '../support/discord-harness.js';
import { eventually } from '../support/eventually.js';
import { type RedisCut, startRedisCut } from '../support/redis-cut.js';

const dir = mkdtempSync(join(tmpdir(), 'intake-catch-up-'));
const closers: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  adapter: DiscordAdapter;
  catchUp: CatchUp;
}

test('a message not yet durable when the process ended is caught up from history at the next start, exactly once', { timeout: 90_000 }, async () => {
  const redis: RedisCut = await startRedisCut();
  closers.push(() => redis.close());
  const fake: FakeDiscord = await createFakeDiscord({ token: TOKEN, applicationId: APP_ID, guildId: GUILD_ID, channels: [{ id: CHANNEL_ID, name: 'general' }] });
  closers.push(() => fake.close());
  // The engines' store (Redis) and the catch-up checkpoints (SQLite), both kept across runs.
  const engineStore: Store = await createStore({ redisUrl: redis.url, namespacePrefix: `intake-${randomUUID()}`, redisCommandTimeoutMs: 300 }, { logger: silentLogger() });
  closers.push(() => engineStore.close());
  const checkpointStore: Store = await createStore({ path: join(dir, 'bridge.db') }, { logger: silentLogger() });
  closers.push(() => checkpointStore.close());
  const servedSince = Date.now() - 60_000;
  const durable: string[] = [];
  let refused = 0;

  /** What the engines do: drop what they already took, else persist before resolving. */
  const accept = async (event: PlatformEvent): Promise<void> => {
    if (event.kind !== 'message') return;
    let seen: boolean;
    try {
      seen = await engineStore.dedupe.seen(event.eventId);
    } catch (error) {
      refused += 1;
      throw error;
    }
    if (!seen) durable.push(event.text);
  };

  const startRun = async (): Promise<Run> => {
    const adapter = createDiscordAdapter({ token: TOKEN, apiUrl: fake.apiUrl, commands: [], restRetries: 0 }, { logger: silentLogger() });
    const catchUp = createCatchUp({
      adapters: [adapter],
      sources: [async () => [{ channel: { platform: 'discord', channelId: CHANNEL_ID }, since: servedSince }]],
      checkpoints: createCatchUpCheckpoints({ store: checkpointStore, logger: silentLogger(), minIntervalMs: 0 }),
      consumers: [{ name: 'durable', accept: (event) => accept(event), start: async () => undefined, stop: async () => undefined }],
      settings: { ...CATCH_UP_DEFAULTS, overlapMs: 0 },
      logger: silentLogger(),
    });
    adapter.onEvent(async (event) => {
      if (!isInteraction(event)) await catchUp.accept(event, adapter as ChatAdapter);
    });
    catchUp.starting(adapter);
    await adapter.start();
    catchUp.started(adapter);
    await catchUp.idle();
    return { adapter, catchUp };
  };
  const endRun = async (run: Run): Promise<void> => {
    // As the bridge stops: the catch-up first, then the platform.
    await run.catchUp.stop();
    await run.adapter.stop();
  };

  const first = await startRun();
  fake.sendMessage({ channelId: CHANNEL_ID, content: 'before' });
  fake.sendMessage({ channelId: CHANNEL_ID, content: 'also before' });
  await eventually(() => durable.length === 2, 'the messages before the outage');

  await redis.cut();
  fake.sendMessage({ channelId: CHANNEL_ID, content: 'never accepted' });
  await eventually(() => refused >= 2, 'the acceptance refused and retried while Redis is cut off');
  // The process ends while the store is still away: the intake gives the message up.
  await endRun(first);
  assert.deepEqual(durable, ['before', 'also before']);

  await redis.restore();
  await eventually(
    () =>
      engineStore
        .ping()
        .then(() => true)
        .catch(() => false),
    'Redis reachable again',
  );
  const second = await startRun();
  await eventually(() => durable.length === 3, 'the caught-up message');
  fake.sendMessage({ channelId: CHANNEL_ID, content: 'live after' });
  await eventually(() => durable.length === 4, 'the live message after the catch-up');
  await endRun(second);
  assert.deepEqual(durable, ['before', 'also before', 'never accepted', 'live after']);
});
