/**
 * The buttons on an agent thread's status message, on Slack (real Bolt in Socket Mode against
 * the fake Slack, which delivers block_actions and view_submission payloads shaped as Slack's
 * docs show them): Follow up opens a modal whose text becomes a follow-up, New session starts
 * a fresh session in the same thread, Open in Blocks links the session. Refused and stale
 * presses are answered privately and do nothing; a replayed one does nothing twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FakeSlackMessage } from '../../src/simulators/slack/state.js';
import { eventually, type SessionsRig, startSessionsRig } from './sessions-harness.js';

const CHANNEL = 'C0BUTTONS';
const creates = (rig: SessionsRig) => rig.blocks.state.requests.filter((r) => r.method === 'POST' && r.path === '/rest/v1/sessions');
const followUps = (rig: SessionsRig) => rig.blocks.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));

function thread(rig: SessionsRig, rootTs: string, channel = CHANNEL): FakeSlackMessage[] {
  return rig.slack!.fake.state.history(channel).filter((m) => m.threadTs === rootTs && m.ts !== rootTs && !m.deleted);
}

function actionIds(message: FakeSlackMessage): string[] {
  const actions = (message.blocks ?? []).find((block) => block.type === 'actions');
  return ((actions?.elements as Array<{ action_id: string }> | undefined) ?? []).map((element) => element.action_id);
}

/** `/agent <prompt>` by Ada: the thread's root and its first status message (with buttons). */
async function startSession(rig: SessionsRig, prompt = 'fix the flaky test'): Promise<{ root: string; status: FakeSlackMessage }> {
  const fake = rig.slack!.fake;
  await fake.deliverCommand({ command: 'agent', text: prompt, channelId: CHANNEL, userId: 'UADA' });
  const root = await eventually(() => fake.state.history(CHANNEL).find((m) => !m.threadTs && m.user === fake.botUserId), 'the root message');
  const status = await eventually(() => thread(rig, root.ts).find((m) => /is working/.test(m.text)), 'the status message');
  return { root: root.ts, status };
}

/** Clicks a button; resolves with what the person was privately told (response_url), if anything. */
async function click(rig: SessionsRig, status: FakeSlackMessage, actionId: string, options: { userId?: string; teamId?: string; triggerId?: string; channel?: string } = {}) {
  const fake = rig.slack!.fake;
  const result = await fake.clickButton(
    { channel: options.channel ?? CHANNEL, messageTs: status.ts, actionId, userId: options.userId ?? 'UADA' },
    { ...(options.teamId ? { teamId: options.teamId } : {}), ...(options.triggerId ? { triggerId: options.triggerId } : {}) },
  );
  assert.ok(result.payload, `the message has a ${actionId} button`);
  return result;
}

async function privateAnswer(rig: SessionsRig, responseId: string | undefined): Promise<string> {
  const fake = rig.slack!.fake;
  const response = await fake.state.waitFor(() => fake.state.responses.find((r) => r.id === responseId), 'the private answer');
  assert.equal(response.body['response_type'], 'ephemeral');
  return String(response.body['text']);
}

async function whisper(rig: SessionsRig, before: number): Promise<string> {
  const fake = rig.slack!.fake;
  const call = await fake.state.waitFor(() => fake.state.callsTo('chat.postEphemeral')[before], 'the ephemeral answer');
  return String(call.args['text']);
}

test('Slack: the status message carries Follow up, New session and Open in Blocks, and keeps them when edited to done', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { delayMs: 100 } } });
  try {
    const { root, status } = await startSession(rig);
    assert.deepEqual(actionIds(status), ['follow-up', 'new-session', 'open-link']);
    const link = ((status.blocks ?? []).find((b) => b.type === 'actions')?.elements as Array<Record<string, unknown>>)[2]!;
    assert.match(String(link['url']), /^https:\/\/blocks\.team\/app\/.+\/sessions\/[0-9a-f-]{36}$/);
    await eventually(() => thread(rig, root).find((m) => m.text === 'Done: fix the flaky test'), 'the answer');
    await eventually(() => /done\./.test(status.text), 'the status edited to done');
    assert.deepEqual(actionIds(status), ['follow-up', 'new-session', 'open-link'], 'the edit sent the buttons again');
    const update = rig.slack!.fake.state.callsTo('chat.update').at(-1)!;
    assert.ok(typeof update.args['blocks'] === 'string' && update.args['blocks'].includes('follow-up'));
  } finally {
    await rig.close();
  }
});

test('Slack: Follow up opens a modal; its text is shown in the thread and sent as a follow-up that interrupts the running turn', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { manual: true } } });
  try {
    const fake = rig.slack!.fake;
    const { root, status } = await startSession(rig);
    await click(rig, status, 'follow-up');
    const view = await fake.state.waitFor(() => fake.state.views[0], 'the modal');
    assert.equal(view.view['callback_id'], 'follow-up');
    assert.equal(view.userId, 'UADA');
    const whispers = fake.state.callsTo('chat.postEphemeral').length;
    await fake.submitView(view.id, 'also update the changelog');
    assert.match(await whisper(rig, whispers), /^Sent your follow-up to claude/);
    await eventually(() => followUps(rig).length === 1, 'the follow-up on Blocks');
    assert.equal((followUps(rig)[0]!.body as Record<string, unknown>)['message'], 'also update the changelog');
    await eventually(() => thread(rig, root).find((m) => m.text === 'Ada followed up:\n\n> also update the changelog'), 'the text in the thread');
    await eventually(() => /interrupted by a follow-up/.test(status.text), 'the first status interrupted');
    assert.deepEqual(actionIds(status), ['follow-up', 'new-session', 'open-link']);
    const second = await eventually(() => thread(rig, root).find((m) => /working on the follow-up/.test(m.text)), 'the second status');
    assert.deepEqual(actionIds(second), ['follow-up', 'new-session', 'open-link']);
  } finally {
    await rig.close();
  }
});

test('Slack: New session starts a fresh session in the same thread; the old buttons are then stale and say so privately', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { delayMs: 50 } } });
  try {
    const fake = rig.slack!.fake;
    const { root, status } = await startSession(rig);
    await eventually(() => thread(rig, root).find((m) => m.text === 'Done: fix the flaky test'), 'the first answer');
    await click(rig, status, 'new-session');
    const view = await fake.state.waitFor(() => fake.state.views[0], 'the modal');
    assert.equal(view.view['callback_id'], 'new-session');
    await fake.submitView(view.id, 'now write the release notes');
    await eventually(() => creates(rig).length === 2, 'a second Blocks session');
    assert.equal((creates(rig)[1]!.body as Record<string, unknown>)['message'], 'now write the release notes');
    await eventually(() => thread(rig, root).find((m) => m.text === 'Done: now write the release notes'), 'its answer in the same thread');

    const stale = await click(rig, status, 'follow-up');
    assert.match(await privateAnswer(rig, stale.responseId), /replaced by a newer one/);
    assert.equal(fake.state.views.length, 1, 'no modal for a stale button');
  } finally {
    await rig.close();
  }
});

test('Slack: a press from another workspace is refused privately, and a follow-up over quota is refused privately', async () => {
  const rig = await startSessionsRig({
    platform: 'slack',
    blocks: { script: { manual: true } },
    quota: { perPersonRunning: 1, perPersonPerHour: 1, perChannelRunning: 8, perChannelPerHour: 100 },
  });
  try {
    const fake = rig.slack!.fake;
    const { status } = await startSession(rig);
    const foreign = await click(rig, status, 'follow-up', { userId: 'UBOB', teamId: 'T0OTHER' });
    assert.match(await privateAnswer(rig, foreign.responseId), /another workspace or server/);
    assert.equal(fake.state.views.length, 0);

    await click(rig, status, 'follow-up');
    const view = await fake.state.waitFor(() => fake.state.views[0], 'the modal');
    const whispers = fake.state.callsTo('chat.postEphemeral').length;
    await fake.submitView(view.id, 'one more thing');
    assert.match(await whisper(rig, whispers), /^You have started 1 agent turn in the last hour, the most allowed/);
    assert.equal(followUps(rig).length, 0, 'Blocks heard nothing');
  } finally {
    await rig.close();
  }
});

test('Slack: a button of a session Blocks no longer has says it has ended, and does nothing', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { manual: true } } });
  try {
    const fake = rig.slack!.fake;
    const { status } = await startSession(rig);
    rig.blocks.state.sessions.clear();
    await eventually(() => /no longer exists on Blocks/.test(status.text), 'the turn failed: session gone');
    const pressed = await click(rig, status, 'new-session');
    assert.match(await privateAnswer(rig, pressed.responseId), /has ended/);
    assert.equal(fake.state.views.length, 0);
  } finally {
    await rig.close();
  }
});

test('Slack: a replayed click opens one modal, and a replayed submission sends one follow-up', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { manual: true } } });
  try {
    const fake = rig.slack!.fake;
    const { status } = await startSession(rig);
    const first = await click(rig, status, 'follow-up');
    await fake.state.waitFor(() => fake.state.views[0], 'the modal');
    await click(rig, status, 'follow-up', { triggerId: first.triggerId });
    const view = fake.state.views[0]!;
    await fake.submitView(view.id, 'and the docs');
    await eventually(() => followUps(rig).length === 1, 'the follow-up');
    await fake.submitView(view.id, 'and the docs');
    await rig.engine.idle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(fake.state.views.length, 1, 'one modal');
    assert.equal(followUps(rig).length, 1, 'one follow-up');
    assert.equal(fake.state.callsTo('views.open').length, 1);
  } finally {
    await rig.close();
  }
});
