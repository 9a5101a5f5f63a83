/**
 * The restart guarantee of agent sessions, with the bridge as an operator runs it
 * (`src/main.ts` in a child process, config file and environment secrets): 30 sessions
 * started from Slack (mentions and /agent), the bridge killed with SIGKILL while some are
 * answered and some are not, restarted on the same store: every answer is in the thread
 * that asked, exactly once.
 */

import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createFakeBlocks, type FakeBlocks } from '../../src/simulators/blocks.js';
import { createFakeSlack, type FakeSlack } from '../../src/simulators/slack.js';
import { eventually } from './sessions-harness.js';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
const SLACK = { botToken: 'xoxb-5555_4444_restartbottoken', appToken: 'xapp-1-A555-3333-restartapptoken' };
const CHANNEL = 'C0RESTART';
const SESSIONS = 30;
const WINDOW_MS = 2_000;

let blocks: FakeBlocks;
let slack: FakeSlack;

before(async () => {
  // Answers spread over ~0.4–4 s after each create: the kill lands among them.
  blocks = await createFakeBlocks({
    windowMs: WINDOW_MS,
    limit: 100,
    script: (ctx) => ({ delayMs: 400 + ((Number.parseInt(ctx.prompt.replace(/\D/g, ''), 10) * 131) % 3_600), final: `Answer to ${ctx.prompt}` }),
  });
  slack = await createFakeSlack({ ...SLACK, users: [{ id: 'UADA', name: 'ada', displayName: 'Ada' }] });
});

after(async () => {
  await slack.close();
  await blocks.close();
});

interface Child {
  child: ChildProcessByStdio<null, Readable, Readable>;
  exit: Promise<number | null>;
  output: () => string;
  started: Promise<void>;
}

function startBridge(configPath: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env['PATH'] ?? '', FLUXRA_BRIDGE_CONFIG: configPath, SLACK_BOT_TOKEN: SLACK.botToken, SLACK_APP_TOKEN: SLACK.appToken, BLOCKS_API_KEY: blocks.apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: new URL('../..', import.meta.url).pathname,
  });
  let out = '';
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    onStarted = resolve;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.includes('"msg":"bridge started"')) onStarted();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => out, started: Promise.race([started, exit.then(() => Promise.reject(new Error(`bridge exited:\n${out.slice(-3000)}`)))]) };
}

/** A bridge config on the shared fakes, its store in a fresh directory; returns its path. */
function writeConfig(rateLimit: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sessions-restart-'));
  const configPath = join(dir, 'bridge.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      blocks: { baseUrl: blocks.url, rateLimit },
      slack: { mode: 'socket', apiUrl: slack.apiUrl },
      sessions: { pollIntervalMs: 100, maxPollIntervalMs: 400 },
      // One person asking for dozens of sessions at once in one channel: far over the default quotas, which are not what this tests.
      agentQuota: { perPersonRunning: 100, perPersonPerHour: 100, perChannelRunning: 100, perChannelPerHour: 100 },
      store: { path: join(dir, 'bridge.db') },
      health: { port: 0, host: '127.0.0.1' },
      log: { level: 'info' },
    }),
  );
  return configPath;
}

const answers = () => slack.state.history(CHANNEL).filter((m) => m.text.startsWith('Answer to task '));

test('30 running sessions survive a SIGKILL: every answer exactly once, in its own thread', { timeout: 120_000 }, async () => {
  const configPath = writeConfig({ limit: 100, windowMs: WINDOW_MS, safetyMarginMs: 0, interactiveReserve: 10, backoffMs: 100, maxBackoffMs: 500 });

  const first = startBridge(configPath);
  const mentionTs = new Map<number, string>();
  try {
    await first.started;
    await slack.waitForSocket();
    for (let i = 1; i <= SESSIONS; i += 1) {
      if (i % 3 === 0) {
        await slack.deliverCommand({ command: 'agent', text: `task ${i}`, channelId: CHANNEL, userId: 'UADA' });
      } else {
        const event = slack.userMessage({ channel: CHANNEL, user: 'UADA', text: `<@${slack.botUserId}> task ${i}` });
        await slack.deliverEvent(event);
        mentionTs.set(i, String(event['ts']));
      }
    }
    await eventually(() => blocks.state.sessions.size === SESSIONS && answers().length >= 5, 'all sessions created and a few answered', 30_000);
  } finally {
    first.child.kill('SIGKILL');
  }
  await first.exit;
  const answeredBefore = answers().length;
  assert.ok(answeredBefore < SESSIONS, `some answers must still be outstanding at the kill (had ${answeredBefore})`);

  const second = startBridge(configPath);
  try {
    await second.started;
    await eventually(() => answers().length >= SESSIONS, 'every answer after the restart', 60_000);
    // Give a duplicate every chance to show up: all turns finished, the pollers idle.
    await eventually(() => [...blocks.state.sessions.values()].every((s) => s.turns.every((t) => t.status === 'done')), 'all turns done');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  } finally {
    second.child.kill('SIGTERM');
  }
  assert.equal(await second.exit, 0, second.output().slice(-3000));

  const history = slack.state.history(CHANNEL);
  assert.equal(blocks.state.sessions.size, SESSIONS, 'no session was created twice');
  for (let i = 1; i <= SESSIONS; i += 1) {
    const copies = answers().filter((m) => m.text === `Answer to task ${i}`);
    assert.equal(copies.length, 1, `answer ${i} posted exactly once`);
    const reply = copies[0]!;
    if (mentionTs.has(i)) {
      assert.equal(reply.threadTs, mentionTs.get(i), `answer ${i} in the thread of its mention`);
    } else {
      const roots = history.filter((m) => !m.threadTs && m.text.endsWith(`> task ${i}`));
      assert.equal(roots.length, 1, `one root message for /agent task ${i}`);
      assert.equal(reply.threadTs, roots[0]!.ts, `answer ${i} in the thread of its root message`);
    }
  }
  const statuses = history.filter((m) => /^claude: done\./.test(m.text));
  assert.equal(statuses.length, SESSIONS, 'every status says done');
  assert.ok(!second.output().includes(blocks.apiKey) && !first.output().includes(blocks.apiKey), 'the Blocks key is never logged');
});

test('requests waiting for their rate slot at a SIGKILL are resumed: each answered once, one create each', { timeout: 120_000 }, async () => {
  const channel = 'C0WAITING';
  const requests = 24;
  // 12 requests per 2 s: most of the 24 wait for a slot when the bridge is killed.
  const configPath = writeConfig({ limit: 12, windowMs: 2_000, safetyMarginMs: 0, interactiveReserve: 3, backoffMs: 100, maxBackoffMs: 500 });
  const prompt = (i: number) => `wait ${i}`;
  const createsOf = (i: number) => [...blocks.state.sessions.values()].filter((s) => s.turns[0]?.prompt === prompt(i)).length;
  const created = () => Array.from({ length: requests }, (_, k) => createsOf(k + 1)).reduce((a, b) => a + b, 0);

  const first = startBridge(configPath);
  try {
    await first.started;
    await slack.waitForSocket();
    const acked = slack.state.responses.length + requests;
    for (let i = 1; i <= requests; i += 1) await slack.deliverCommand({ command: 'agent', text: prompt(i), channelId: channel, userId: 'UADA' });
    // Every request acknowledged (so durable), and the first window of creates sent.
    await eventually(() => slack.state.responses.length >= acked && created() >= 5, 'every /agent acknowledged and the first creates sent', 30_000);
  } finally {
    first.child.kill('SIGKILL');
  }
  await first.exit;
  assert.ok(created() < requests, `some requests must still wait for their slot at the kill (created ${created()})`);

  const history = () => slack.state.history(channel);
  const threadOf = (i: number) => {
    const root = history().find((m) => !m.threadTs && m.text.endsWith(`> ${prompt(i)}`));
    return root ? history().filter((m) => m.threadTs === root.ts) : [];
  };
  const answered = (i: number) => threadOf(i).filter((m) => m.text === `Answer to ${prompt(i)}`).length;
  const notices = (i: number) => threadOf(i).filter((m) => /may or may not have started/.test(m.text)).length;
  const settled = () => Array.from({ length: requests }, (_, k) => answered(k + 1) + notices(k + 1) >= 1).every(Boolean);

  const second = startBridge(configPath);
  try {
    await second.started;
    await eventually(settled, 'every request answered (or honestly noticed) after the restart', 60_000);
    // Give a duplicate every chance to show up.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  } finally {
    second.child.kill('SIGTERM');
  }
  assert.equal(await second.exit, 0, second.output().slice(-3000));

  let noticed = 0;
  for (let i = 1; i <= requests; i += 1) {
    assert.ok(createsOf(i) <= 1, `request ${i} was created at most once (got ${createsOf(i)})`);
    assert.equal(answered(i) + notices(i), 1, `request ${i}: exactly one answer or one notice`);
    if (answered(i) === 1) assert.equal(createsOf(i), 1, `answered request ${i} has exactly one Blocks session`);
    noticed += notices(i);
  }
  // Only a create whose bytes may have left at the kill gets the notice: those in flight, never the waiting ones.
  assert.ok(noticed <= 3, `only creates in flight at the kill may get the notice (got ${noticed})`);
});

test('a create and a follow-up whose bytes left before a SIGKILL: one honest notice, or the answer after checking Blocks; never sent twice', { timeout: 120_000 }, async () => {
  const channel = 'C0SENDING';
  const configPath = writeConfig({ limit: 100, windowMs: WINDOW_MS, safetyMarginMs: 0, interactiveReserve: 10, backoffMs: 100, maxBackoffMs: 500 });
  const history = () => slack.state.history(channel);
  const threadOf = (prompt: string) => {
    const root = history().find((m) => !m.threadTs && m.text.endsWith(`> ${prompt}`));
    return root ? { root, replies: history().filter((m) => m.threadTs === root.ts) } : undefined;
  };
  const posts = (path: RegExp) => blocks.state.requests.filter((r) => r.method === 'POST' && path.test(r.path)).length;
  const CREATE = /^\/rest\/v1\/sessions$/;
  const FOLLOW_UP = /^\/rest\/v1\/sessions\/[^/]+\/messages$/;

  const first = startBridge(configPath);
  let root = '';
  const before = { creates: 0, followUps: 0 };
  try {
    await first.started;
    await slack.waitForSocket();
    await slack.deliverCommand({ command: 'agent', text: 'send 1000', channelId: channel, userId: 'UADA' });
    await eventually(() => threadOf('send 1000')?.replies.some((m) => m.text === 'Answer to send 1000'), 'the first answer', 30_000);
    root = threadOf('send 1000')!.root.ts;
    before.creates = posts(CREATE);
    before.followUps = posts(FOLLOW_UP);
    // Both POSTs reach Blocks and are never answered: the bridge dies while they are in flight.
    blocks.inject({ method: 'POST', path: CREATE, type: 'hang' });
    blocks.inject({ method: 'POST', path: FOLLOW_UP, type: 'hang' });
    await slack.deliverCommand({ command: 'agent', text: 'send 1002', channelId: channel, userId: 'UADA' });
    await slack.deliverEvent(slack.userMessage({ channel, user: 'UADA', text: 'send 1001', threadTs: root }));
    await eventually(() => posts(CREATE) === before.creates + 1 && posts(FOLLOW_UP) === before.followUps + 1, 'both POSTs in flight at Blocks', 30_000);
  } finally {
    first.child.kill('SIGKILL');
  }
  await first.exit;
  blocks.clearFaults();

  const second = startBridge(configPath);
  try {
    await second.started;
    await eventually(() => threadOf('send 1000')?.replies.some((m) => m.text === 'Answer to send 1001'), 'the follow-up answered after the restart', 30_000);
    await eventually(() => threadOf('send 1002')?.replies.some((m) => /may or may not have started/.test(m.text)), 'the honest notice for the create', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  } finally {
    second.child.kill('SIGTERM');
  }
  assert.equal(await second.exit, 0, second.output().slice(-3000));

  const created = threadOf('send 1002')!.replies;
  assert.equal(created.filter((m) => /may or may not have started/.test(m.text)).length, 1, 'one notice for the create that may have left');
  assert.equal(posts(CREATE), before.creates + 1, 'the create is never sent a second time');
  const followed = threadOf('send 1000')!.replies;
  assert.equal(followed.filter((m) => m.text === 'Answer to send 1001').length, 1, 'the follow-up answered exactly once');
  // Blocks was read first (ours was not there: the hung POST was never processed), then the follow-up sent once more.
  const readBeforeResend = blocks.state.requests.filter((r) => r.method === 'GET' && FOLLOW_UP.test(r.path) && /role=user/.test(r.query));
  assert.ok(readBeforeResend.length >= 1, 'the session was read before the follow-up was resent');
  const session = [...blocks.state.sessions.values()].find((s) => s.turns[0]?.prompt === 'send 1000')!;
  assert.equal(session.turns.length, 2, 'one follow-up turn at Blocks');
});
