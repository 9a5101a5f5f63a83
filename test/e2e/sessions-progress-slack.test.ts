/**
 * Issue 18 on Slack (real Bolt in Socket Mode, the fake Slack's agent methods): a running
 * turn's steps read in the same poll as its completion, shown as the thread status and an
 * answer stream with a plan of tool steps, the status kept alive past Slack's timeout and
 * cleared at the end; a workspace that refuses the stream gets plain posts; a restart in the
 * middle resumes from the persisted cursor without showing a step twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FakeSlackMessage } from '../../src/simulators/slack/state.js';
import { eventually, type SessionsRig, startSessionsRig } from './sessions-harness.js';

const CHANNEL = 'C0PROGRESS';
const SCRIPT = {
  delayMs: 1_500,
  progress: ['Reading the failing test', 'Found the race in the setup'],
  toolCalls: [
    { name: 'bash', input: 'npm test' },
    { name: 'edit', input: { file_path: 'src/setup.ts' } },
  ],
};
/** Short intervals instead of wall-clock waits: the status refreshes every 100 ms, the fake drops it after 300 ms. */
const FAST = { progressMinEditMs: 20, progressStatusRefreshMs: 100 };

function thread(rig: SessionsRig, rootTs: string): FakeSlackMessage[] {
  return rig.slack!.fake.state.history(CHANNEL).filter((m) => m.threadTs === rootTs && !m.deleted);
}

async function mention(rig: SessionsRig, text: string): Promise<string> {
  const fake = rig.slack!.fake;
  const event = fake.userMessage({ channel: CHANNEL, user: 'UADA', text });
  await fake.deliverEvent(event);
  return String(event['ts']);
}

function statuses(rig: SessionsRig, ts: string): string[] {
  return rig
    .slack!.fake.state.callsTo('assistant.threads.setStatus')
    .filter((call) => call.args['thread_ts'] === ts)
    .map((call) => String(call.args['status']));
}

test('Slack: the steps show as the thread status and a streamed answer with a plan; the status outlives the timeout and is cleared at the end', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: SCRIPT }, sessions: FAST });
  const state = rig.slack!.fake.state;
  state.threadStatusTimeoutMs = 300;
  try {
    const ts = await mention(rig, '<@UBRIDGE> fix the flaky test');
    const stream = await eventually(() => thread(rig, ts).find((m) => m.streaming === true), 'the answer stream, opened by the first intermediate text');
    assert.equal(stream.taskDisplayMode, 'plan');
    assert.match(stream.text, /Reading the failing test/);
    await eventually(() => statuses(rig, ts).some((status) => status === 'is running `bash npm test`…'), 'the current step as status');
    // Five times the fake's timeout later the status is still there: it was set again in time.
    const shownAt = Date.now();
    await eventually(() => Date.now() - shownAt > 1_000 || thread(rig, ts).some((m) => m.streaming === false), 'a while');
    if (thread(rig, ts).every((m) => m.streaming !== false)) assert.notEqual(state.threadStatus(CHANNEL, ts), '', 'the status was refreshed before it timed out');
    const done = await eventually(() => thread(rig, ts).find((m) => m.ts === stream.ts && m.streaming === false), 'the stream stopped');
    assert.match(done.text, /Reading the failing test\n\nFound the race in the setup\n\nDone: fix the flaky test$/);
    assert.deepEqual(
      done.tasks?.map((task) => [task.title, task.status]),
      [
        ['running `bash npm test`', 'complete'],
        ['running `edit src/setup.ts`', 'complete'],
      ],
    );
    assert.equal(statuses(rig, ts).at(-1), '', 'the status is cleared at the end');
    assert.ok(statuses(rig, ts).filter((status) => status !== '').length >= 4, 'refreshed while the turn ran');
    const status = thread(rig, ts).find((m) => m.text.startsWith('claude'))!;
    await eventually(() => /^claude: done\./.test(status.text), 'the status line done');
    assert.equal(thread(rig, ts).filter((m) => m.text.includes('Done: fix the flaky test')).length, 1, 'the answer once, in the stream');
    // Progress cost no extra request: one create, the polls, one session read.
    const polls = rig.blocks.state.requests.filter((r) => r.method === 'GET' && r.path.includes('/threads/'));
    assert.ok(
      polls.some((r) => r.query.includes('type=tool_call') && r.query.includes('gts=')),
      'progress read from the cursor',
    );
    assert.ok(polls.every((r) => r.query.includes('direction=asc') || r.query.includes('type=final_message&role=assistant')));
  } finally {
    await rig.close();
  }
});

test('Slack: a workspace that refuses the stream and the status gets the step list and a plain answer, logged once', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: SCRIPT }, sessions: FAST });
  const state = rig.slack!.fake.state;
  state.refuseMethod('chat.startStream', 'not_allowed_token_type');
  state.refuseMethod('assistant.threads.setStatus', 'missing_scope');
  try {
    const ts = await mention(rig, '<@UBRIDGE> fix the flaky test');
    const status = await eventually(() => thread(rig, ts).find((m) => /Found the race/.test(m.text)), 'the step list in the status message');
    assert.match(status.text, /^claude is working…/);
    assert.match(status.text, /2 tool calls, 2 messages|1 tool call|tool call/);
    await eventually(() => thread(rig, ts).find((m) => m.text === 'Done: fix the flaky test'), 'the answer as a plain post');
    await eventually(() => /^claude: done\./.test(status.text), 'the status line done');
    assert.equal(state.callsTo('chat.startStream').length, 1, 'tried once, then not again');
    assert.equal(state.callsTo('assistant.threads.setStatus').length, 1, 'tried once, then not again');
    const refusals = rig.logs.filter((line) => line['msg'] === 'the platform refused a progress method; falling back to plain posts for it');
    assert.deepEqual(refusals.map((line) => line['method']).sort(), ['setThreadStatus', 'startStream']);
  } finally {
    await rig.close();
  }
});

test('Slack: a restart mid-turn resumes from the persisted cursor, shows no step twice, and completes the open stream', async () => {
  const rig = await startSessionsRig({
    platform: 'slack',
    blocks: {
      script: {
        delayMs: 2_000,
        progress: ['one', 'two', 'three'],
        toolCalls: [
          { name: 'bash', input: 'step 1' },
          { name: 'bash', input: 'step 2' },
        ],
      },
    },
    sessions: FAST,
  });
  try {
    const ts = await mention(rig, '<@UBRIDGE> count');
    await eventually(() => thread(rig, ts).find((m) => m.streaming === true && m.text.includes('one')), 'the stream with the first step');
    const before = rig.blocks.state.requests.length;
    await rig.restartEngine();
    const stream = await eventually(() => thread(rig, ts).find((m) => m.streaming === false), 'the stream completed after the restart');
    for (const word of ['one', 'two', 'three']) assert.equal(stream.text.split(`${word}\n\n`).length - 1, 1, `${word} once`);
    assert.match(stream.text, /Done: count$/);
    const resumed = rig.blocks.state.requests.slice(before).find((r) => r.method === 'GET' && r.query.includes('type=tool_call'));
    assert.match(resumed?.query ?? '', /gts=\d/, 'the first progress read after the restart starts from the persisted cursor');
    assert.equal(new Set(stream.tasks?.map((task) => task.id)).size, 2);
    assert.equal(thread(rig, ts).filter((m) => m.text.includes('Done: count')).length, 1);
  } finally {
    await rig.close();
  }
});
