/**
 * The fault matrix's Redis cells, on a redis-server of our own (the shared one on 6379 is
 * never stopped) under two bridge replicas:
 * - Redis stopped for 5 s and restarted with its data (SHUTDOWN SAVE, same port and dir),
 *   while both scenarios run;
 * - Redis restarted without its data: the bridge must recover by itself (ready again), and
 *   links made anew with `/bridge link` and new sessions work.
 *
 * No test-framework imports: `npm run bench:faults` runs it too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINKS_CACHE_TTL_MS } from '../../../../src/store/links.js';
import { withTestRedis } from '../../../unit/ratelimit/redis-test-helpers.js';
import { DISCORD_PEOPLE, SLACK_PEOPLE } from '../mirror-world.js';
import { type CellResult, type Rig, runCell, startRig, stopRig } from './matrix.js';

const OUTAGE_MS = 5_000;

interface RedisServer {
  url: string;
  /** Stops it: `save` writes its data first (a restart finds it), `wipe` leaves none behind. */
  stop(mode: 'save' | 'wipe'): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fault-matrix-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const spawned = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    child = spawned;
    exited = new Promise<void>((resolve) => spawned.once('exit', () => resolve()));
    for (let attempt = 0; ; attempt += 1) {
      try {
        await withTestRedis((client) => client.ping(), url);
        return;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async function stop(mode: 'save' | 'wipe'): Promise<void> {
    if (!child) return;
    if (mode === 'save') {
      // The connection closes as the server exits: the rejection is the expected answer.
      await withTestRedis((client) => client.sendCommand(['SHUTDOWN', 'SAVE']), url).catch(() => undefined);
    } else {
      child.kill('SIGKILL');
      rmSync(join(dir, 'dump.rdb'), { force: true });
    }
    await exited;
    child = undefined;
  }

  await start();
  return {
    url,
    stop,
    start,
    async close() {
      await stop('wipe');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, maxMs: number): Promise<T | undefined> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started >= maxMs) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `/bridge link <conversation>` from the linked Slack and Discord channels, as their admins; the answers. */
async function relink(rig: Rig): Promise<string[]> {
  const { slack, discord, groups } = rig.world.mirror;
  const group = groups[0]!;
  const seen = slack.state.responses.length;
  await slack.deliverCommand({ command: 'bridge', text: `link ${group.conversationId}`, channelId: group.slackChannel!, userId: SLACK_PEOPLE[0].id }, { via: 'socket' });
  const fromSlack = await until(() => slack.state.responses[seen], 15_000);
  const record = discord.sendInteraction({
    commandName: 'bridge',
    subcommand: 'link',
    options: [{ name: 'conversation', value: group.conversationId }],
    channelId: group.discordChannel!,
    user: { id: DISCORD_PEOPLE[0].id, username: DISCORD_PEOPLE[0].username },
    permissions: '0',
  });
  const fromDiscord = await until(() => {
    const callback = record.callbacks.find((c) => c.type === 4);
    return callback ? String(callback.data?.['content'] ?? '') : record.original?.content || undefined;
  }, 15_000);
  return [String(fromSlack?.body['text'] ?? 'no answer from Slack'), fromDiscord ?? 'no answer from Discord'];
}

export const REDIS_CELLS = ['redis:down-5s-with-data', 'redis:restart-without-data'] as const;
export type RedisCell = (typeof REDIS_CELLS)[number];

/**
 * A Redis of our own and two replicas on it, for one cell: each Redis cell starts from a
 * healthy cluster, so that one cell's leftovers cannot fail the next.
 */
async function withRedisRig(body: (rig: Rig, redis: RedisServer) => Promise<CellResult>): Promise<CellResult> {
  const redis = await startRedisServer();
  const rig = await startRig({
    redisUrl: redis.url,
    replicas: 2,
    extra: { permissions: { slackAllowedUserIds: [SLACK_PEOPLE[0].id], discordAllowedUserIds: [DISCORD_PEOPLE[0].id] } },
  });
  try {
    return await body(rig, redis);
  } finally {
    if (process.env['FAULT_MATRIX_LOGS']) for (const line of rig.world.logs) console.error(JSON.stringify(line).slice(0, 400));
    await stopRig(rig);
    await redis.close();
  }
}

/** Redis stopped while both scenarios run, restarted after 5 s with its data. */
function outageCell(): Promise<CellResult> {
  return withRedisRig((rig, redis) =>
    runCell(rig, 'redis:down-5s-with-data', {
      async during() {
        await redis.stop('save');
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
        await redis.start();
      },
      clear: () => undefined,
      noticeAllowed: { create: false, followUp: false, unavailable: true },
      expectInjected: 0,
    }),
  );
}

/** Redis restarted empty; the bridge gets ready by itself, links are made anew, then both scenarios run. */
function wipeCell(): Promise<CellResult> {
  return withRedisRig(async (rig, redis) => {
    let relinked: string[] = [];
    const result = await runCell(rig, 'redis:restart-without-data', {
      async before() {
        await redis.stop('wipe');
        await redis.start();
        await until(async () => ((await rig.world.ready()) ? true : undefined), 30_000);
        // Link reads are cached for a second (src/store/links.ts): a person relinks after that.
        await new Promise((resolve) => setTimeout(resolve, LINKS_CACHE_TTL_MS + 500));
        relinked = await relink(rig);
      },
      during: () => undefined,
      clear: () => undefined,
      noticeAllowed: { create: false, followUp: false },
      expectInjected: 0,
    });
    for (const answer of relinked) {
      if (!answer.startsWith('Linked.')) {
        result.problems.push(`relink answered: ${answer}`);
        result.survived = false;
      }
    }
    return result;
  });
}

export async function runRedisMatrix(options: { onCell?: (result: CellResult) => void; cells?: readonly RedisCell[] } = {}): Promise<CellResult[]> {
  const wanted = new Set(options.cells ?? REDIS_CELLS);
  const cells: CellResult[] = [];
  for (const [name, run] of [
    ['redis:down-5s-with-data', outageCell],
    ['redis:restart-without-data', wipeCell],
  ] as const) {
    if (!wanted.has(name)) continue;
    const result = await run();
    cells.push(result);
    options.onCell?.(result);
  }
  return cells;
}
