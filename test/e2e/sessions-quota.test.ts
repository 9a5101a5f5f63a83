/**
 * Agent quotas end to end (real Bolt on the fake Slack, the real engine on the fake Blocks):
 * over quota, /agent, a mention, a thread follow-up and a bound channel's message each get
 * the answer saying when a turn frees up, and Blocks receives nothing. The ledger lives in the
 * store, so a second bridge on the same Redis counts the same turns.
 */

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createLogger } from '../../src/core/logger.js';
import type { AgentQuotaConfig } from '../../src/sessions/quota.js';
import type { FakeSlackMessage } from '../../src/simulators/slack/state.js';
import { createStore } from '../../src/store/index.js';
import { openTestRedis } from '../unit/ratelimit/redis-test-helpers.js';
import { deleteKeys, REDIS_URL } from '../unit/store/fixtures.js';
import { startBoundRig } from './bound-channel-harness.js';
import { eventually, type SessionsRig, startSessionsRig } from './sessions-harness.js';

const CHANNEL = 'C0QUOTA01';
const BOUND = 'C0QUOTABOUND';
const ONE_RUNNING: AgentQuotaConfig = { perPersonRunning: 1, perPersonPerHour: 30, perChannelRunning: 8, perChannelPerHour: 100 };
const OVER_QUOTA = /^You already have 1 agent turn running, the most allowed at once\. Ask again when one ends \(by \d\d:\d\d UTC at the latest\)\.$/;

const creates = (rig: SessionsRig) => rig.blocks.state.requests.filter((r) => r.method === 'POST' && r.path === '/rest/v1/sessions');
const followUps = (rig: SessionsRig) => rig.blocks.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));

function thread(rig: SessionsRig, channel: string, rootTs: string): FakeSlackMessage[] {
  return rig.slack!.fake.state.history(channel).filter((m) => m.threadTs === rootTs && m.ts !== rootTs && !m.deleted);
}

async function command(rig: SessionsRig, name: string, text: string, channelId = CHANNEL, userId = 'UADA'): Promise<string> {
  const fake = rig.slack!.fake;
  const before = fake.state.responses.length;
  await fake.deliverCommand({ command: name, text, channelId, userId });
  const answer = await fake.state.waitFor(() => fake.state.responses[before], `the /${name} answer`);
  return String(answer.body['text']);
}

async function say(rig: SessionsRig, channel: string, text: string, user = 'UADA', threadTs?: string): Promise<string> {
  const event = rig.slack!.fake.userMessage({ channel, user, text, ...(threadTs ? { threadTs } : {}) });
  await rig.slack!.fake.deliverEvent(event);
  return String(event['ts']);
}

test('over quota: /agent, a mention and a follow-up are answered with when it frees up, and Blocks sees no request', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { manual: true } }, quota: ONE_RUNNING });
  try {
    assert.match(await command(rig, 'agent', 'first task'), /^Asking claude/);
    await eventually(() => creates(rig).length === 1 || undefined, 'the first create');
    const root = await eventually(() => rig.slack!.fake.state.history(CHANNEL).find((m) => m.text.startsWith('Ada asked claude')), 'the root message');

    assert.match(await command(rig, 'agent', 'second task'), OVER_QUOTA);
    const mention = await say(rig, CHANNEL, '<@UBRIDGE> third task');
    await eventually(() => thread(rig, CHANNEL, mention).find((m) => OVER_QUOTA.test(m.text)), 'the answer to the mention');

    // Bob has a quota of his own; once his turn runs, his follow-up in Ada's thread is over it.
    await say(rig, CHANNEL, '<@UBRIDGE> bob asks', 'UBOB');
    await eventually(() => creates(rig).length === 2 || undefined, "Bob's create");
    const bobsReply = await say(rig, CHANNEL, 'bob adds this', 'UBOB', root.ts);
    await eventually(() => thread(rig, CHANNEL, root.ts).find((m) => OVER_QUOTA.test(m.text) && Number(m.ts) > Number(bobsReply)), 'the answer to the follow-up');
    await rig.engine.idle();
    assert.equal(creates(rig).length, 2, 'no create for the refused requests');
    assert.equal(followUps(rig).length, 0, 'no follow-up POST for the refused follow-up');

    // Ada's follow-up interrupts her own running turn: the number running does not grow, so it goes.
    await say(rig, CHANNEL, 'and also this', 'UADA', root.ts);
    await eventually(() => followUps(rig).length === 1 || undefined, "Ada's follow-up");

    // Ada's turn ends: she may ask again.
    const session = [...rig.blocks.state.sessions.values()].find((s) => s.turns[0]?.prompt === 'first task')!;
    const running = await eventually(() => session.turns.find((t) => t.prompt === 'and also this'), 'the follow-up turn');
    rig.blocks.completeTurn(running.threadId, 'Done: and also this');
    await eventually(() => thread(rig, CHANNEL, root.ts).find((m) => m.text === 'Done: and also this'), 'the answer');
    await eventually(async () => (/^Asking claude/.test(await command(rig, 'agent', 'fourth task')) ? true : undefined), 'admitted again');
    await eventually(() => creates(rig).length === 3 || undefined, 'the create after the turn ended');
  } finally {
    await rig.close();
  }
});

test('over quota in a bound channel: the message is answered with the time and not sent', async () => {
  // A bound channel runs one turn at a time, so its messages count towards the hourly quota.
  const rig = await startBoundRig({ platform: 'slack', blocks: { script: { manual: true } }, quota: { ...ONE_RUNNING, perPersonPerHour: 1 } });
  try {
    assert.match(await command(rig, 'bridge', 'link agent claude', BOUND), /^Bound this channel/);
    await say(rig, BOUND, 'why is the build red?');
    await eventually(() => creates(rig).length === 1 || undefined, 'the session');
    const second = await say(rig, BOUND, 'and the lint step?');
    await eventually(
      () => thread(rig, BOUND, second).find((m) => /^You have started 1 agent turn in the last hour, the most allowed\. The next one can start at \d\d:\d\d UTC\.$/.test(m.text)),
      'the quota answer',
    );
    await rig.engine.idle();
    assert.equal(creates(rig).length + followUps(rig).length, 1);
  } finally {
    await rig.close();
  }
});

test('a second bridge on the same Redis sees the same quota', async () => {
  const prefix = `quota-e2e-${randomUUID()}`;
  const logger = createLogger({ level: 'silent' });
  const first = await startSessionsRig({
    platform: 'slack',
    blocks: { script: { manual: true } },
    quota: ONE_RUNNING,
    store: await createStore({ redisUrl: REDIS_URL, namespacePrefix: prefix }, { logger }),
  });
  const second = await startSessionsRig({
    platform: 'slack',
    blocks: { script: { manual: true } },
    quota: ONE_RUNNING,
    store: await createStore({ redisUrl: REDIS_URL, namespacePrefix: prefix }, { logger }),
  });
  try {
    assert.match(await command(first, 'agent', 'on the first replica'), /^Asking claude/);
    await eventually(() => creates(first).length === 1 || undefined, 'the create on the first replica');
    assert.match(await command(second, 'agent', 'on the second replica'), OVER_QUOTA);
    assert.equal(creates(second).length, 0, 'the second replica sent nothing to Blocks');
  } finally {
    await first.close();
    await second.close();
    const redis = await openTestRedis(REDIS_URL);
    await deleteKeys(redis, `${prefix}:*`);
    await redis.quit();
  }
});
