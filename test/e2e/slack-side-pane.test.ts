/**
 * Slack's AI side pane end to end: real Bolt (its `Assistant` class) on the fake Slack, the
 * real session engine on the fake Blocks. The events are shaped as Slack's reference shows
 * them (`assistant_thread_started` with `assistant_thread {user_id, context, channel_id,
 * thread_ts}`; the person's messages as `message.im` in the pane's thread).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PANE_REFUSAL, PROMPTS_TITLE } from '../../src/platforms/slack/assistant.js';
import { PANE_WORKING_STATUS } from '../../src/platforms/slack/assistant-threads.js';
import type { AgentQuotaConfig } from '../../src/sessions/quota.js';
import type { FakeSlackMessage } from '../../src/simulators/slack/state.js';
import { eventually, type SessionsRig, startSessionsRig } from './sessions-harness.js';

const PROMPTS = [
  { title: 'Explain a concept', message: 'Explain how a bloom filter works' },
  { title: 'Review a snippet', message: 'Review this for bugs' },
];
const PANE = { assistant: { prompts: PROMPTS, allowedTeamIds: ['T0FAKE'] } };
const ONE_RUNNING: AgentQuotaConfig = { perPersonRunning: 1, perPersonPerHour: 30, perChannelRunning: 8, perChannelPerHour: 100 };

const creates = (rig: SessionsRig) => rig.blocks.state.requests.filter((r) => r.method === 'POST' && r.path === '/rest/v1/sessions').map((r) => r.body as Record<string, unknown>);
const followUps = (rig: SessionsRig) => rig.blocks.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));

/** What the bridge posted in a pane thread (the person's own messages left out). */
function botPosts(rig: SessionsRig, pane: { channel: string; threadTs: string }): FakeSlackMessage[] {
  return rig.slack!.fake.state.history(pane.channel).filter((m) => m.threadTs === pane.threadTs && m.ts !== pane.threadTs && m.user === 'UBRIDGE' && !m.deleted);
}

async function openPane(rig: SessionsRig, userId = 'UADA', teamId?: string) {
  const fake = rig.slack!.fake;
  const pane = fake.openAssistantThread({ userId, contextChannel: 'C0GENERAL' });
  await fake.deliverEvent(pane.event, teamId ? { teamId } : {});
  return pane;
}

test('opening the side pane sets the suggested prompts of its thread', async () => {
  const rig = await startSessionsRig({ platform: 'slack', slackAdapter: PANE });
  try {
    const fake = rig.slack!.fake;
    const pane = await openPane(rig);
    const thread = await eventually(
      () => fake.state.assistantThread(pane.channel, pane.threadTs)?.prompts && fake.state.assistantThread(pane.channel, pane.threadTs),
      'the prompts',
    );
    assert.deepEqual(thread.prompts, PROMPTS);
    assert.equal(thread.promptsTitle, PROMPTS_TITLE);
    // The person looks elsewhere: acknowledged, and nothing is posted or created.
    const ack = await fake.deliverEvent(fake.assistantContextChanged(pane, 'C0OTHER'));
    assert.ok(ack.ack);
    assert.equal(botPosts(rig, pane).length, 0);
    assert.equal(creates(rig).length, 0);
  } finally {
    await rig.close();
  }
});

test('a prompt in the pane starts a private session: title, status, answer and a follow-up in the pane thread', async () => {
  const rig = await startSessionsRig({ platform: 'slack', slackAdapter: PANE, blocks: { script: { manual: true } } });
  try {
    const fake = rig.slack!.fake;
    const pane = await openPane(rig);
    const prompt = fake.paneMessage(pane, 'UADA', PROMPTS[0]!.message);
    await fake.deliverEvent(prompt);
    // Slack redelivers it (the ack was lost): still one session.
    await fake.deliverEvent(prompt, { retryNum: 1, retryReason: 'timeout' });

    const [create] = await eventually(() => (creates(rig).length > 0 ? creates(rig) : undefined), 'the create');
    assert.equal(create!['message'], 'Explain how a bloom filter works');
    assert.equal(create!['is_private'], true);
    assert.equal(create!['agent_name'], 'claude');
    const statusCalls = fake.state.callsTo('assistant.threads.setStatus');
    assert.ok(statusCalls.some((call) => call.args['status'] === PANE_WORKING_STATUS && call.args['thread_ts'] === pane.threadTs));
    const titled = await eventually(() => fake.state.assistantThread(pane.channel, pane.threadTs)?.title, 'the title');
    assert.equal(titled, 'Explain how a bloom filter works');

    const session = await eventually(() => [...rig.blocks.state.sessions.values()][0], 'the Blocks session');
    rig.blocks.completeTurn(session.turns[0]!.threadId, 'A bloom filter answers "maybe" or "no".');
    await eventually(() => botPosts(rig, pane).find((m) => m.text === 'A bloom filter answers "maybe" or "no".'), 'the answer in the pane thread');
    // Replying in the thread cleared the status, as Slack does.
    assert.equal(fake.state.assistantThread(pane.channel, pane.threadTs)?.status, undefined);

    await fake.deliverEvent(fake.paneMessage(pane, 'UADA', 'and a counting bloom filter?'));
    await eventually(() => followUps(rig).length === 1 || undefined, 'the follow-up');
    const next = await eventually(() => session.turns.find((t) => t.prompt === 'and a counting bloom filter?'), 'the follow-up turn');
    rig.blocks.completeTurn(next.threadId, 'It keeps counters instead of bits.');
    await eventually(() => botPosts(rig, pane).find((m) => m.text === 'It keeps counters instead of bits.'), 'the follow-up answer');
    await rig.engine.idle();
    assert.equal(creates(rig).length, 1, 'one session for the pane thread');
    assert.equal(fake.state.callsTo('assistant.threads.setTitle').length, 1, 'titled once, from the first prompt');
  } finally {
    await rig.close();
  }
});

test('a first word naming an agent picks it, as with /agent', async () => {
  const rig = await startSessionsRig({ platform: 'slack', slackAdapter: PANE });
  try {
    const fake = rig.slack!.fake;
    const pane = await openPane(rig);
    await fake.deliverEvent(fake.paneMessage(pane, 'UADA', 'codex write a haiku about queues'));
    const [create] = await eventually(() => (creates(rig).length > 0 ? creates(rig) : undefined), 'the create');
    assert.equal(create!['agent_name'], 'codex');
    assert.equal(create!['message'], 'write a haiku about queues');
    assert.equal(await eventually(() => fake.state.assistantThread(pane.channel, pane.threadTs)?.title, 'the title'), 'write a haiku about queues');
  } finally {
    await rig.close();
  }
});

test('a workspace off the allow-list is refused in the pane with a short reason, and nothing starts', async () => {
  const rig = await startSessionsRig({ platform: 'slack', slackAdapter: PANE });
  try {
    const fake = rig.slack!.fake;
    const pane = await openPane(rig, 'UBOB', 'T0STRANGER');
    await eventually(() => botPosts(rig, pane).find((m) => m.text === PANE_REFUSAL), 'the refusal on opening');
    assert.equal(fake.state.assistantThread(pane.channel, pane.threadTs)?.prompts, undefined, 'no prompts offered');
    const prompt = fake.paneMessage(pane, 'UBOB', 'Explain how a bloom filter works');
    await fake.deliverEvent(prompt, { teamId: 'T0STRANGER' });
    await fake.deliverEvent(prompt, { teamId: 'T0STRANGER', retryNum: 1 });
    await eventually(() => botPosts(rig, pane).filter((m) => m.text === PANE_REFUSAL).length === 2 || undefined, 'the refusal of the prompt');
    await rig.engine.idle();
    assert.equal(botPosts(rig, pane).filter((m) => m.text === PANE_REFUSAL).length, 2, 'said once per opening and once per prompt, not per redelivery');
    assert.equal(creates(rig).length, 0);
    assert.equal(fake.state.callsTo('assistant.threads.setStatus').length, 0);
  } finally {
    await rig.close();
  }
});

test('a person over their quota is told when it frees up in the pane thread, and Blocks sees nothing', async () => {
  const rig = await startSessionsRig({ platform: 'slack', slackAdapter: PANE, blocks: { script: { manual: true } }, quota: ONE_RUNNING });
  try {
    const fake = rig.slack!.fake;
    const first = await openPane(rig);
    await fake.deliverEvent(fake.paneMessage(first, 'UADA', 'first task'));
    await eventually(() => creates(rig).length === 1 || undefined, 'the first create');
    const second = await openPane(rig);
    await fake.deliverEvent(fake.paneMessage(second, 'UADA', 'second task'));
    const refusal = await eventually(() => botPosts(rig, second).find((m) => /^You already have 1 agent turn running/.test(m.text)), 'the quota answer');
    assert.match(refusal.text, /Ask again when one ends/);
    await rig.engine.idle();
    assert.equal(creates(rig).length, 1);
    assert.equal(fake.state.assistantThread(second.channel, second.threadTs)?.status, undefined, 'the answer cleared the status');
  } finally {
    await rig.close();
  }
});

test("events shaped as Slack's reference shows them (extra fields, enterprise context, rich text blocks) work the same", async () => {
  const rig = await startSessionsRig({ platform: 'slack', slackAdapter: PANE });
  try {
    const fake = rig.slack!.fake;
    // The thread exists in the fake; the events below are written out as Slack's docs show them.
    const { channel, threadTs } = fake.openAssistantThread({ userId: 'UADA' });
    await fake.deliverEvent({
      type: 'assistant_thread_started',
      assistant_thread: {
        user_id: 'UADA',
        context: { channel_id: 'C123ABC456', team_id: 'T07XY8FPJ5C', enterprise_id: 'E480293PS82' },
        channel_id: channel,
        thread_ts: threadTs,
      },
      event_ts: '1715873754.429808',
    });
    await eventually(() => fake.state.assistantThread(channel, threadTs)?.prompts, 'the prompts');
    const ts = fake.state.nextTs();
    fake.state.history(channel).push({ ts, text: 'Summarise the incident in three bullets', user: 'UADA', threadTs, reactions: [] });
    await fake.deliverEvent({
      user: 'UADA',
      type: 'message',
      ts,
      client_msg_id: '7d1e4a8f-1b8e-4f0c-9a4e-2f6c1b2a9d11',
      text: 'Summarise the incident in three bullets',
      team: 'T0FAKE',
      thread_ts: threadTs,
      parent_user_id: 'UADA',
      blocks: [{ type: 'rich_text', block_id: 'Xy1', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'Summarise the incident in three bullets' }] }] }],
      channel,
      event_ts: ts,
      channel_type: 'im',
    });
    const [create] = await eventually(() => (creates(rig).length > 0 ? creates(rig) : undefined), 'the create');
    assert.equal(create!['message'], 'Summarise the incident in three bullets');
    assert.equal(create!['is_private'], true);
    assert.equal(await eventually(() => fake.state.assistantThread(channel, threadTs)?.title, 'the title'), 'Summarise the incident in three bullets');
  } finally {
    await rig.close();
  }
});
