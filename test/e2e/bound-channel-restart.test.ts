/**
 * A bound channel's queue survives a SIGKILL (issue 8): the bridge as an operator runs it
 * (`src/main.ts` in a child process, config file and environment secrets), bound to claude
 * by `/bridge link agent`, one turn running and three messages waiting behind it, killed,
 * restarted on the same store. After the restart the running turn is still polled and
 * answered once, and the waiting messages (plus one that arrived after the restart) go to
 * the agent as ONE follow-up, answered once in the thread of the last of them.
 */

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createFakeBlocks, type FakeBlocks } from '../../src/simulators/blocks.js';
import { createFakeSlack, type FakeSlack } from '../../src/simulators/slack.js';
import { eventually } from './sessions-harness.js';
import { type BridgeChild, startBridgeChild } from './support/bridge-child.js';

const SLACK = { botToken: 'xoxb-8888_4444_boundbottoken', appToken: 'xapp-1-A888-3333-boundapptoken' };
const CHANNEL = 'C0BOUND';
const WINDOW_MS = 2_000;

let blocks: FakeBlocks;
let slack: FakeSlack;

before(async () => {
  blocks = await createFakeBlocks({
    windowMs: WINDOW_MS,
    limit: 100,
    script: (ctx) => (ctx.turnIndex === 0 ? { manual: true } : { delayMs: 50, final: `Answer ${ctx.turnIndex}` }),
  });
  slack = await createFakeSlack({ ...SLACK, users: [{ id: 'UADA', name: 'ada', displayName: 'Ada' }] });
});

after(async () => {
  await slack.close();
  await blocks.close();
});

function start(dir: string): BridgeChild {
  return startBridgeChild({
    dir,
    config: {
      blocks: { baseUrl: blocks.url, rateLimit: { limit: 100, windowMs: WINDOW_MS, safetyMarginMs: 0, interactiveReserve: 10, backoffMs: 100, maxBackoffMs: 500 } },
      slack: { mode: 'socket', apiUrl: slack.apiUrl },
      sessions: { pollIntervalMs: 100, maxPollIntervalMs: 400, boundChannelMode: 'queue' },
      permissions: { slackAllowedUserIds: ['UADA'] },
      store: { path: join(dir, 'bridge.db') },
      health: { port: 0, host: '127.0.0.1' },
      log: { level: 'info' },
    },
    env: { SLACK_BOT_TOKEN: SLACK.botToken, SLACK_APP_TOKEN: SLACK.appToken, BLOCKS_API_KEY: blocks.apiKey },
  });
}

const started = (child: BridgeChild) => child.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge to start');
const reactions = (ts: string): string[] => (slack.state.history(CHANNEL).find((m) => m.ts === ts)?.reactions ?? []).map((r) => r.name).sort();
const inThread = (ts: string) => slack.state.history(CHANNEL).filter((m) => m.threadTs === ts && m.ts !== ts);

async function say(text: string): Promise<string> {
  const event = slack.userMessage({ channel: CHANNEL, user: 'UADA', text });
  await slack.deliverEvent(event);
  return String(event['ts']);
}

test('a SIGKILL with a turn running and three messages queued: nothing lost, one follow-up, every answer once', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bound-restart-'));
  const first = start(dir);
  let waiting: string[] = [];
  let asked = '';
  try {
    await started(first);
    await slack.waitForSocket();
    const before = slack.state.responses.length;
    await slack.deliverCommand({ command: 'bridge', text: 'link agent claude', channelId: CHANNEL, userId: 'UADA' });
    const answer = await slack.state.waitFor(() => slack.state.responses[before], 'the /bridge answer');
    assert.match(String(answer.body['text']), /^Bound this channel to `claude`/);

    asked = await say('why is the build red?');
    await eventually(() => inThread(asked).find((m) => m.text.startsWith('claude is working')), 'the first turn running', 20_000);
    waiting = [await say('check lint too'), await say('and the docs job'), await say('thanks')];
    for (const ts of waiting) await eventually(() => reactions(ts).includes('hourglass_flowing_sand'), `⏳ on ${ts}`, 20_000);
  } finally {
    await first.killAndWait('SIGKILL');
  }
  await slack.state.waitFor(() => slack.socketCount() === 0, 'the killed bridge’s socket to close');
  const session = [...blocks.state.sessions.values()][0]!;
  assert.equal(session.turns.length, 1, 'nothing was sent while the turn ran');

  const second = start(dir);
  try {
    await started(second);
    await slack.waitForSocket();
    const late = await say('one more thing');
    await eventually(() => reactions(late).includes('hourglass_flowing_sand'), 'the late message waits too', 20_000);
    waiting.push(late);

    blocks.completeTurn(session.turns[0]!.threadId, 'Lint is failing.');
    await eventually(() => inThread(late).find((m) => m.text === 'Answer 1'), 'the combined answer under the last message', 30_000);
    await eventually(() => waiting.every((ts) => reactions(ts).join() === 'white_check_mark'), 'only ✅ on every waiting message', 20_000);
    // Give a duplicate every chance to show up.
    await eventually(() => session.turns.every((t) => t.status === 'done'), 'all turns done');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  } finally {
    assert.equal(await second.killAndWait('SIGTERM'), 0, second.stderr().slice(-3000));
  }

  assert.equal(blocks.state.sessions.size, 1, 'one session for the channel');
  assert.equal(session.turns.length, 2, 'the four waiting messages went as ONE follow-up');
  assert.match(session.turns[1]!.prompt, /^4 messages arrived[\s\S]*1\. Ada: check lint too\n\n2\. Ada: and the docs job\n\n3\. Ada: thanks\n\n4\. Ada: one more thing$/);
  const history = slack.state.history(CHANNEL);
  assert.equal(history.filter((m) => m.text === 'Lint is failing.').length, 1, 'the first answer once');
  assert.equal(history.filter((m) => m.text === 'Lint is failing.')[0]!.threadTs, asked);
  assert.equal(history.filter((m) => m.text === 'Answer 1').length, 1, 'the combined answer once');
  for (const ts of waiting.slice(0, 3))
    assert.equal(inThread(ts).filter((m) => m.text.startsWith('claude answered this together with 3 other messages')).length, 1, `one pointer under ${ts}`);
});
