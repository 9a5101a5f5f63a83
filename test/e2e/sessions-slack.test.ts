/**
 * Agent sessions from Slack (real Bolt in Socket Mode) against the fake Blocks: /agent and
 * mentions start sessions whose answers land in the thread that asked, follow-ups interrupt
 * running turns, and every Blocks error gets its answer.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FakeSlackMessage } from '../../src/simulators/slack/state.js';
import { ALIAS_ID, eventually, type SessionsRig, startSessionsRig } from './sessions-harness.js';

const CHANNEL = 'C0AGENTS';

function thread(rig: SessionsRig, rootTs: string): FakeSlackMessage[] {
  return rig.slack!.fake.state.history(CHANNEL).filter((m) => m.threadTs === rootTs && !m.deleted);
}

function botRoots(rig: SessionsRig): FakeSlackMessage[] {
  return rig.slack!.fake.state.history(CHANNEL).filter((m) => !m.threadTs && m.user === rig.slack!.fake.botUserId);
}

async function mention(rig: SessionsRig, text: string, user = 'UADA', threadTs?: string): Promise<string> {
  const fake = rig.slack!.fake;
  const event = fake.userMessage({ channel: CHANNEL, user, text, ...(threadTs ? { threadTs } : {}) });
  await fake.deliverEvent(event);
  return String(event['ts']);
}

async function command(rig: SessionsRig, text: string): Promise<string> {
  const fake = rig.slack!.fake;
  const before = fake.state.responses.length;
  await fake.deliverCommand({ command: 'agent', text, channelId: CHANNEL, userId: 'UADA' });
  const answer = await fake.state.waitFor(() => fake.state.responses[before], 'the /agent answer');
  return String(answer.body['text']);
}

test('/agent: root message, status with the session link, answer in the thread, status done with ✅', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { delayMs: 150 } } });
  try {
    assert.match(await command(rig, 'fix the flaky test'), /^Asking claude; the answer will come in the thread/);
    const root = await eventually(() => botRoots(rig)[0], 'the root message');
    assert.equal(root.text, 'Ada asked claude:\n\n> fix the flaky test');
    const reply = await eventually(() => thread(rig, root.ts).find((m) => m.text === 'Done: fix the flaky test'), 'the answer');
    const status = thread(rig, root.ts)[0]!;
    await eventually(() => status.reactions.some((r) => r.name === 'white_check_mark'), 'the ✅');
    assert.match(status.text, /^claude: done\. <?https:\/\/blocks\.team\/app\/.+\/sessions\/[0-9a-f-]{36}>?$/);
    assert.ok(Number(reply.ts) > Number(status.ts));
    assert.equal(thread(rig, root.ts).length, 2, 'status and answer, nothing else');
    const session = [...rig.blocks.state.sessions.values()][0]!;
    assert.deepEqual(session.agent, { agent_name: 'claude' });
    const create = rig.blocks.state.requests.find((r) => r.method === 'POST' && r.path === '/rest/v1/sessions')!;
    assert.equal((create.body as Record<string, unknown>)['message'], 'fix the flaky test');
  } finally {
    await rig.close();
  }
});

test('a mention starts a session answered under the mention itself, with a named agent', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { delayMs: 100 } } });
  try {
    const ts = await mention(rig, '<@UBRIDGE> codex fix the flaky test');
    await eventually(() => thread(rig, ts).find((m) => m.text === 'Done: fix the flaky test'), 'the answer under the mention');
    assert.equal(botRoots(rig).length, 0, 'no root message of our own for a mention');
    assert.deepEqual([...rig.blocks.state.sessions.values()][0]!.agent, { agent_name: 'codex' });
  } finally {
    await rig.close();
  }
});

test('an alias starts its workspace agent; an unknown agent gets the valid names and costs no request', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { delayMs: 50 } } });
  try {
    await command(rig, 'reviewer look at PR 12');
    await eventually(() => rig.blocks.state.sessions.size === 1, 'the session');
    assert.deepEqual([...rig.blocks.state.sessions.values()][0]!.agent, { agent_id: ALIAS_ID });
    const before = rig.blocks.state.requests.length;
    assert.equal(await command(rig, 'claud fix it'), 'There is no agent `claud`. Agents: claude, codex, gemini, opencode, cursor, kimi, reviewer (default: claude).');
    const ts = await mention(rig, '<@UBRIDGE>');
    const usage = await eventually(() => thread(rig, ts)[0], 'the usage answer');
    assert.match(usage.text, /^Ask an agent:/);
    await rig.engine.idle();
    assert.equal(rig.blocks.state.requests.filter((r) => r.method === 'POST').length, before > 0 ? 1 : 0, 'only the alias session was created');
  } finally {
    await rig.close();
  }
});

test('a reply in the thread is a follow-up that interrupts the running turn', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { manual: true } } });
  try {
    const ts = await mention(rig, '<@UBRIDGE> write the docs');
    const status = await eventually(() => thread(rig, ts).find((m) => m.text.startsWith('claude is working')), 'the status');
    await mention(rig, 'only the README, please', 'UADA', ts);
    await eventually(() => thread(rig, ts).find((m) => /earlier turn was still running and has been interrupted/.test(m.text)), 'the interruption notice');
    assert.match(status.text, /^claude: interrupted by a follow-up\./);
    const session = [...rig.blocks.state.sessions.values()][0]!;
    assert.equal(session.turns.length, 2);
    assert.equal(session.turns[0]!.status, 'interrupted');
    const followStatus = await eventually(() => thread(rig, ts).find((m) => m.text.startsWith('claude is working on the follow-up')), 'the follow-up status');
    rig.blocks.completeTurn(session.turns[1]!.threadId, 'README updated.');
    await eventually(() => thread(rig, ts).find((m) => m.text === 'README updated.'), 'the follow-up answer');
    await eventually(() => followStatus.reactions.some((r) => r.name === 'white_check_mark'), 'the ✅ on the follow-up status');
    // The bridge's own posts in the thread were never taken for follow-ups.
    assert.equal(session.turns.length, 2);
  } finally {
    await rig.close();
  }
});

test('pull requests are listed as links with the answer', async () => {
  const rig = await startSessionsRig({
    platform: 'slack',
    blocks: {
      script: { delayMs: 50, final: 'Opened two PRs.', pullRequests: ['https://github.com/acme/app/pull/12', { url: 'https://github.com/acme/app/pull/13', status: 'open' }] },
    },
  });
  try {
    const ts = await mention(rig, '<@UBRIDGE> fix it');
    const reply = await eventually(() => thread(rig, ts).find((m) => m.text.startsWith('Opened two PRs.')), 'the answer');
    assert.match(reply.text, /Pull requests:\n• <?https:\/\/github\.com\/acme\/app\/pull\/12>?\n• <?https:\/\/github\.com\/acme\/app\/pull\/13>? \(open\)/);
  } finally {
    await rig.close();
  }
});

test('a turn without an answer times out, with the session link', async () => {
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { manual: true } }, sessions: { turnTimeoutMinutes: 0.005 } });
  try {
    const ts = await mention(rig, '<@UBRIDGE> think forever');
    const status = await eventually(() => thread(rig, ts).find((m) => m.text.startsWith('claude')), 'the status');
    await eventually(() => status.text.startsWith('claude: timed out'), 'the timeout');
    assert.match(status.text, /may still be running on Blocks\. <?https:\/\/blocks\.team\//);
  } finally {
    await rig.close();
  }
});

test('Blocks errors: key refused, validation reason, 5xx on create, 404 on a follow-up, 429 queued', async (t) => {
  await t.test('401/403: tell an admin, and log it for the admin', async () => {
    const rig = await startSessionsRig({ platform: 'slack', apiKey: 'blk_wrong_key_000000000' });
    try {
      const ts = await mention(rig, '<@UBRIDGE> fix it');
      await eventually(() => thread(rig, ts).find((m) => m.text === "Could not start claude: The bridge's Blocks key is not accepted: tell an admin."), 'the answer');
      assert.ok(rig.logs.some((l) => l['level'] === 50 && /Blocks does not accept the bridge API key/.test(String(l['msg']))));
      assert.ok(!JSON.stringify(rig.logs).includes('blk_wrong_key_000000000'), 'the key is not logged');
    } finally {
      await rig.close();
    }
  });
  await t.test('400/422: the reason', async () => {
    const rig = await startSessionsRig({ platform: 'slack' });
    try {
      rig.blocks.inject({ method: 'POST', path: '/rest/v1/sessions', type: 'respond', status: 422, body: { error: 'message is too long', code: 'VALIDATION' } });
      const ts = await mention(rig, '<@UBRIDGE> fix it');
      await eventually(() => thread(rig, ts).find((m) => m.text === 'Could not start claude: Blocks refused the request: message is too long'), 'the answer');
    } finally {
      await rig.close();
    }
  });
  await t.test('5xx twice on create: may or may not have started (one resend, no more)', async () => {
    const rig = await startSessionsRig({ platform: 'slack' });
    try {
      rig.blocks.inject({ method: 'POST', path: '/rest/v1/sessions', type: 'respond', status: 502, body: 'bad gateway', times: 2 });
      const ts = await mention(rig, '<@UBRIDGE> fix it');
      await eventually(
        () => thread(rig, ts).find((m) => m.text === 'Blocks returned an error; the session may or may not have started. Check Blocks before asking again.'),
        'the answer',
      );
      assert.equal(rig.blocks.state.requests.filter((r) => r.method === 'POST').length, 2);
    } finally {
      await rig.close();
    }
  });
  await t.test('404 on a follow-up: the session no longer exists', async () => {
    const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { delayMs: 20 } } });
    try {
      const ts = await mention(rig, '<@UBRIDGE> fix it');
      await eventually(() => thread(rig, ts).find((m) => m.text === 'Done: fix it'), 'the first answer');
      rig.blocks.inject({ method: 'POST', path: /\/messages$/, type: 'respond', status: 404, body: { error: 'Session not found', code: 'NOT_FOUND' } });
      await mention(rig, 'and the tests', 'UADA', ts);
      await eventually(() => thread(rig, ts).find((m) => m.text === 'Could not send the follow-up: This session no longer exists on Blocks.'), 'the answer');
    } finally {
      await rig.close();
    }
  });
  await t.test('429: queued (said in the thread), then started', async () => {
    const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { delayMs: 20 } } });
    try {
      rig.blocks.inject({ method: 'POST', path: '/rest/v1/sessions', type: 'rate-limit', retryAfterSeconds: 1, times: 5 });
      const ts = await mention(rig, '<@UBRIDGE> fix it');
      await eventually(() => thread(rig, ts).find((m) => /^Queued behind the Blocks rate limit, about \d+ s\.$/.test(m.text)), 'the queued note', 15_000);
      await eventually(() => thread(rig, ts).find((m) => m.text === 'Done: fix it'), 'the answer after the queue', 15_000);
      assert.equal(rig.blocks.state.sessions.size, 1);
    } finally {
      await rig.close();
    }
  });
});
