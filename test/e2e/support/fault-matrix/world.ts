/**
 * The fault matrix's world: the Fluxra, Slack (Socket Mode), Discord and Blocks fakes, all
 * honouring one fault plan, one mirror link group, a Slack channel where people ask agents,
 * and one or more whole bridges (`createBridge`, as `start` builds it) in this process with
 * short timings from config. The store is SQLite, or a Redis given by URL (two replicas then
 * share it).
 *
 * No test-framework imports: `npm run bench:faults` runs the matrix too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Bridge, createBridge } from '../../../../src/app/bridge.js';
import { storeConfigOf } from '../../../../src/app/store-config.js';
import { loadConfig } from '../../../../src/config/load.js';
import { createLogger, silentLogger } from '../../../../src/core/logger.js';
import { createFakeBlocks, type FakeBlocks } from '../../../../src/simulators/blocks.js';
import { createFaultPlan, type FaultPlan } from '../../../../src/simulators/fault-plan.js';
import { createStore, type StoreConfig } from '../../../../src/store/index.js';
import { createMirrorWorld, type MirrorWorld } from '../mirror-world.js';

export const AGENTS_CHANNEL = 'C0ASKAGENT';
export const DISCORD_AGENTS_CHANNEL = '500000000000009001';
/** Client deadlines are 1 s; a held answer is cut after 1.5 s, when the caller has given up. */
export const REQUEST_TIMEOUT_MS = 1_000;
export const HOLD_MS = 1_500;
/** How many chunk markers a long text carries (each about 100 characters). */
export const LONG_CHUNKS = 60;

/** A text of about 6,000 characters whose chunks each carry a marker `<prefix>-<k>`. */
export function longText(prefix: string): string {
  return Array.from({ length: LONG_CHUNKS }, (_, k) => `${prefix}-${String(k).padStart(2, '0')} ${'lorem ipsum dolor sit amet '.repeat(3).trim()}`).join('\n');
}

export interface MatrixReplica {
  bridge: Bridge;
  healthPort: number;
}

export interface MatrixWorld {
  plan: FaultPlan;
  mirror: MirrorWorld;
  blocks: FakeBlocks;
  replicas: MatrixReplica[];
  /** JSON log lines of every replica, warnings and up. */
  logs: Array<Record<string, unknown>>;
  /** Stops replica `index` (default 0); `start` brings a new one up on the same store. */
  stopReplica(index?: number): Promise<void>;
  startReplica(index?: number): Promise<void>;
  /** True when every replica's /readyz answers 200. */
  ready(): Promise<boolean>;
  /** What the last `ready()` that failed heard. */
  notReady: string | undefined;
  close(): Promise<void>;
}

export interface MatrixWorldOptions {
  /** Use this Redis (own server) instead of a SQLite file. */
  redisUrl?: string;
  replicas?: number;
  /** More config, merged one level deep per section. */
  extra?: Record<string, Record<string, unknown>>;
}

async function readyz(port: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
    const body = await response.text();
    return response.status === 200 ? undefined : `${response.status} ${body.slice(0, 300)}`;
  } catch (error) {
    return String(error);
  }
}

export async function createMatrixWorld(options: MatrixWorldOptions = {}): Promise<MatrixWorld> {
  const plan = createFaultPlan({ holdMs: HOLD_MS });
  const mirror = await createMirrorWorld({
    groups: 1,
    faultPlan: plan,
    extraSlackChannels: [{ id: AGENTS_CHANNEL, name: 'ask-agents' }],
    extraDiscordChannels: [{ id: DISCORD_AGENTS_CHANNEL, name: 'ask-agents' }],
  });
  const blocks = await createFakeBlocks({
    windowMs: 1_000,
    limit: 100,
    faultPlan: plan,
    script: (ctx) => ({
      delayMs: 100,
      final: ctx.prompt.includes('long') ? longText(`LA${ctx.prompt.replace(/\W+/g, '')}`) : ctx.turnIndex === 0 ? `Done: ${ctx.prompt}` : `Follow-up done: ${ctx.prompt}`,
    }),
  });

  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: (process.env['FAULT_MATRIX_LOG_LEVEL'] as 'warn' | undefined) ?? 'warn',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    }),
  });
  const config = mirror.config({
    fluxra: { requestTimeoutMs: REQUEST_TIMEOUT_MS, rateLimit: { maxConcurrent: 16, requestsPerSecond: 500, backoffMs: 100 } },
    blocks: {
      baseUrl: blocks.url,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      rateLimit: { limit: 100, windowMs: 1_000, safetyMarginMs: 200, interactiveReserve: 10, backoffMs: 50, maxBackoffMs: 200, shareAcrossPrefixes: false },
    },
    mirror: { pollIntervalMs: 100, idlePollIntervalMs: 150, editScanIntervalMs: 250, retryBaseMs: 50, retryMaxMs: 400 },
    sessions: { pollIntervalMs: 50, maxPollIntervalMs: 200 },
    agentQuota: { perPersonRunning: 50, perPersonPerHour: 5_000, perChannelRunning: 50, perChannelPerHour: 5_000 },
    health: { checkTimeoutMs: 500, blocksRecheckMs: 1_000 },
    log: { level: 'warn' },
    ...(options.redisUrl ? { redis: { keyPrefix: `fault-matrix-${process.pid}-${Date.now()}`, commandTimeoutMs: 500, leaderLockTtlMs: 3_000 } } : {}),
    ...options.extra,
  });
  const path = join(mirror.dir, 'bridge.json');
  writeFileSync(path, JSON.stringify(config));
  const loaded = loadConfig({ path, env: { ...mirror.env, BLOCKS_API_KEY: blocks.apiKey, ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}) } });
  await seedLinks(storeConfigOf(loaded.config), mirror);

  const replicas: MatrixReplica[] = [];
  const startOne = async (n: number): Promise<MatrixReplica> => {
    const bridge = await createBridge(loaded, { logger: logger.child({ replica: n }) });
    const { healthPort } = await bridge.start();
    return { bridge, healthPort };
  };
  for (let n = 0; n < (options.replicas ?? 1); n += 1) replicas.push(await startOne(n));
  await mirror.slack.waitForSocket();

  const world: MatrixWorld = {
    plan,
    mirror,
    blocks,
    replicas,
    logs,
    async stopReplica(index = 0) {
      await replicas[index]?.bridge.stop();
    },
    async startReplica(index = 0) {
      replicas[index] = await startOne(index);
    },
    notReady: undefined,
    async ready() {
      const answers = await Promise.all(replicas.map((replica) => readyz(replica.healthPort)));
      const failing = answers.filter((answer) => answer !== undefined);
      if (failing.length > 0) world.notReady = failing.join('; ');
      return failing.length === 0;
    },
    async close() {
      plan.clear();
      for (const replica of replicas) await replica.bridge.stop();
      await blocks.close();
      await mirror.close();
    },
  };
  return world;
}

/** The group's links, written into the store the bridge will open (SQLite file or Redis). */
export async function seedLinks(storeConfig: StoreConfig, mirror: MirrorWorld): Promise<void> {
  const store = await createStore(storeConfig, { logger: silentLogger() });
  try {
    for (const group of mirror.groups) {
      const input = { conversationId: group.conversationId, linkedBy: 'test' };
      if (group.slackChannel) await store.links.link({ platform: 'slack', channelId: group.slackChannel }, input);
      if (group.discordChannel) await store.links.link({ platform: 'discord', channelId: group.discordChannel }, input);
    }
  } finally {
    await store.close();
  }
}
