/**
 * A Slack channel bound to a Blocks agent (issue 8), end to end: real Bolt in Socket Mode on
 * the fake Slack, the real session engine on the fake Blocks. Every person's message goes to
 * the channel's one session and is answered in its own thread; messages that arrive while a
 * turn runs wait (⏳) and go together as one follow-up, or interrupt it in `interrupt` mode.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FakeSlackMessage } from '../../src/simulators/slack/state.js';
import { startBoundRig } from './bound-channel-harness.js';
import { eventually, type SessionsRig } from './sessions-harness.js';

const CHANNEL = 'C0ASKCLAUDE';

function history(rig: SessionsRig): FakeSlackMessage[] {
  return rig.slack!.fake.state.history(CHANNEL);
}

function thread(rig: SessionsRig, rootTs: string): FakeSlackMessage[] {
  return history(rig).filter((m) => m.threadTs === rootTs && m.ts !== rootTs && !m.deleted);
}

function reactionsOn(rig: SessionsRig, ts: string): string[] {
  return (history(rig).find((m) => m.ts === ts)?.reactions ?? []).map((r) => r.name).sort();
}

async function say(rig: SessionsRig, text: string, threadTs?: string, user = 'UADA'): Promise<string> {
  const fake = rig.slack!.fake;
  const event = fake.userMessage({ channel: CHANNEL, user, text, ...(threadTs ? { threadTs } : {}) });
  await fake.deliverEvent(event);
  return String(event['ts']);
}

async function command(rig: SessionsRig, name: string, text: string): Promise<string> {
  const fake = rig.slack!.fake;
  const before = fake.state.responses.length;
  await fake.deliverCommand({ command: name, text, channelId: CHANNEL, userId: 'UADA' });
  const answer = await fake.state.waitFor(() => fake.state.responses[before], `the /${name} answer`);
  return String(answer.body['text']);
}

const firstManual = { script: (ctx: { turnIndex: number }) => (ctx.turnIndex === 0 ? { manual: true } : { delayMs: 30, final: `Answer ${ctx.turnIndex}` }) };

test('bind, then three quick messages while a turn runs: queued (⏳), sent as ONE follow-up, answered in the last one’s thread', async () => {
  const rig = await startBoundRig({ platform: 'slack', blocks: firstManual });
  try {
    assert.match(await command(rig, 'bridge', 'link agent claude'), /^Bound this channel to `claude`: every message here now goes to one `claude` session/);
    assert.match(await command(rig, 'bridge', 'status'), /This channel is bound to the agent `claude`[\s\S]*Session: none yet/);

    const first = await say(rig, 'why is the build red?');
    await eventually(() => rig.blocks.state.sessions.size === 1, 'the session');
    const session = [...rig.blocks.state.sessions.values()][0]!;
    assert.equal(session.turns[0]!.prompt, 'why is the build red?');
    await eventually(() => thread(rig, first).find((m) => m.text.startsWith('claude is working')), 'the status under the first message');

    const second = await say(rig, 'also check the lint step');
    const third = await say(rig, 'and the flaky e2e test', undefined, 'UBOB');
    const fourth = await say(rig, 'thanks!');
    for (const ts of [second, third, fourth]) {
      await eventually(() => reactionsOn(rig, ts).includes('hourglass_flowing_sand'), `⏳ on ${ts}`);
    }
    assert.ok(reactionsOn(rig, second).includes('eyes'), '👀: picked up');
    const status = await command(rig, 'agent', 'status');
    assert.match(status, /Running: turn 1, for \d+ s, answering “why is the build red\?” from Ada/);
    assert.match(status, /Queue: 3 waiting: “also check the lint step” from Ada, “and the flaky e2e test” from bob, “thanks!” from Ada/);
    assert.equal(session.turns.length, 1, 'nothing sent while the turn runs');

    rig.blocks.completeTurn(session.turns[0]!.threadId, 'The build is red because of lint.');
    await eventually(() => thread(rig, first).find((m) => m.text === 'The build is red because of lint.'), 'the first answer in the first thread');
    await eventually(() => session.turns.length === 2, 'the combined follow-up');
    const prompt = session.turns[1]!.prompt;
    assert.equal(prompt.split('\n\n').length, 4);
    assert.match(
      prompt,
      /^3 messages arrived in the channel while you were busy\. Answer them together, in order:\n\n1\. Ada: also check the lint step\n\n2\. bob: and the flaky e2e test\n\n3\. Ada: thanks!$/,
    );

    await eventually(() => thread(rig, fourth).find((m) => m.text === 'Answer 1'), 'the combined answer under the last message');
    for (const ts of [second, third]) {
      const pointer = await eventually(() => thread(rig, ts).find((m) => m.text.startsWith('claude answered this together')), `the pointer under ${ts}`);
      assert.equal(pointer.text, 'claude answered this together with 2 other messages, in the thread of “thanks!” from Ada.');
      assert.equal(thread(rig, ts).length, 1, 'only the pointer there');
    }
    for (const ts of [first, second, third, fourth]) {
      await eventually(() => reactionsOn(rig, ts).join() === 'white_check_mark', `only ✅ left on ${ts}`);
    }
    await rig.engine.idle();
    assert.equal(session.turns.length, 2, 'one follow-up for the three messages');
    assert.equal(rig.blocks.state.sessions.size, 1, 'the channel kept its one session');
    assert.equal(history(rig).filter((m) => m.text === 'Answer 1').length, 1, 'answered once');
  } finally {
    await rig.close();
  }
});

test('a reply in an answered thread is a follow-up answered in that thread; /bridge status shows the session link', async () => {
  const rig = await startBoundRig({ platform: 'slack', blocks: { script: (ctx) => ({ delayMs: 30, final: `Answer ${ctx.turnIndex}: ${ctx.prompt}` }) } });
  try {
    await command(rig, 'bridge', 'link agent codex');
    const asked = await say(rig, 'list the open PRs');
    await eventually(() => thread(rig, asked).find((m) => m.text === 'Answer 0: list the open PRs'), 'the answer');
    await eventually(() => reactionsOn(rig, asked).includes('white_check_mark'), 'the ✅');
    await say(rig, 'only the ones by Bob', asked);
    await eventually(() => thread(rig, asked).find((m) => m.text === 'Answer 1: only the ones by Bob'), 'the follow-up answer in the same thread');
    const session = [...rig.blocks.state.sessions.values()][0]!;
    assert.deepEqual(session.agent, { agent_name: 'codex' });
    assert.equal(session.turns.length, 2);
    assert.match(await command(rig, 'bridge', 'status'), /bound to the agent `codex`[\s\S]*Session: <?https:\/\/blocks\.team\/app\/[^\s>]+>? \(2 turns\)/);
  } finally {
    await rig.close();
  }
});

test('interrupt mode: a message during a running turn is sent at once; the earlier one is pointed to the new answer', async () => {
  const rig = await startBoundRig({ platform: 'slack', mode: 'interrupt', blocks: firstManual });
  try {
    await command(rig, 'bridge', 'link agent claude');
    const first = await say(rig, 'refactor the parser');
    await eventually(() => thread(rig, first).find((m) => m.text.startsWith('claude is working')), 'the first status');
    const second = await say(rig, 'actually, only the tokenizer');
    await eventually(() => thread(rig, second).find((m) => m.text === 'Answer 1'), 'the answer under the interrupting message');
    const session = [...rig.blocks.state.sessions.values()][0]!;
    assert.equal(session.turns[0]!.status, 'interrupted');
    assert.equal(session.turns[1]!.prompt, 'actually, only the tokenizer');
    assert.ok(thread(rig, first).some((m) => m.text.startsWith('claude: interrupted')));
    await eventually(
      () => thread(rig, first).find((m) => m.text === 'claude answered this together with 1 other message, in the thread of “actually, only the tokenizer” from Ada.'),
      'the pointer',
    );
    for (const ts of [first, second]) await eventually(() => reactionsOn(rig, ts).join() === 'white_check_mark', `✅ on ${ts}`);
    assert.ok(!reactionsOn(rig, second).includes('hourglass_flowing_sand'), 'nothing waited');
  } finally {
    await rig.close();
  }
});

test('/agent new starts a fresh session for what follows; unbinding stops sending and refuses what still waits', async () => {
  const rig = await startBoundRig({
    platform: 'slack',
    blocks: { script: (ctx) => (ctx.prompt.startsWith('slow') ? { manual: true } : { delayMs: 30, final: `Answer: ${ctx.prompt}` }) },
  });
  try {
    await command(rig, 'bridge', 'link agent claude');
    const a = await say(rig, 'first question');
    await eventually(() => thread(rig, a).find((m) => m.text === 'Answer: first question'), 'the first answer');
    assert.equal(
      await command(rig, 'agent', 'new'),
      'The next message here starts a new `claude` session, with a clean context. A turn already running still answers in its thread.',
    );
    const b = await say(rig, 'second question');
    await eventually(() => thread(rig, b).find((m) => m.text === 'Answer: second question'), 'the answer from the new session');
    assert.equal(rig.blocks.state.sessions.size, 2, 'a second Blocks session');
    const sessions = [...rig.blocks.state.sessions.values()];
    assert.deepEqual(
      sessions.map((s) => s.turns.length),
      [1, 1],
      'the new session did not continue the old one',
    );

    // A slow turn, a message waiting behind it, then unbind.
    const slow = await say(rig, 'slow job');
    await eventually(() => thread(rig, slow).find((m) => m.text.startsWith('claude is working')), 'the slow status');
    const waiting = await say(rig, 'and after that?');
    await eventually(() => reactionsOn(rig, waiting).includes('hourglass_flowing_sand'), 'the ⏳');
    assert.match(await command(rig, 'bridge', 'unlink agent'), /^Unbound this channel from `claude`/);
    await eventually(() => thread(rig, waiting).find((m) => m.text.startsWith('This channel was unbound from its agent before this message was sent')), 'the refusal');
    await eventually(() => reactionsOn(rig, waiting).join() === 'x', 'only ❌ on the refused message');
    const requests = rig.blocks.state.requests.filter((r) => r.method === 'POST').length;
    const after = await say(rig, 'anyone there?');
    // The running turn still answers in its thread.
    const slowSession = [...rig.blocks.state.sessions.values()][1]!;
    rig.blocks.completeTurn(slowSession.turns.at(-1)!.threadId, 'Slow job done.');
    await eventually(() => thread(rig, slow).find((m) => m.text === 'Slow job done.'), 'the running turn’s answer');
    await rig.engine.idle();
    assert.equal(rig.blocks.state.requests.filter((r) => r.method === 'POST').length, requests, 'nothing sent after the unbind');
    assert.equal(thread(rig, after).length, 0, 'an unbound channel is not answered');
    assert.equal(reactionsOn(rig, after).length, 0);
    assert.match(await command(rig, 'agent', 'status'), /^This channel is not bound to an agent/);
  } finally {
    await rig.close();
  }
});

test('/bridge link agent refuses an unknown agent with the valid names, and a second binding', async () => {
  const rig = await startBoundRig({ platform: 'slack' });
  try {
    assert.match(await command(rig, 'bridge', 'link agent gpt9'), /^There is no agent `gpt9`\. Agents: claude, codex/);
    assert.match(await command(rig, 'bridge', 'link agent reviewer'), /^Bound this channel to `reviewer`/);
    assert.match(await command(rig, 'bridge', 'link agent claude'), /^This channel is bound to `reviewer`\. Unbind it first/);
    assert.match(await command(rig, 'bridge', 'link conv_0f8fad5b-d9cb-469f-a165-70867728950e'), /no Fluxra credentials/);
  } finally {
    await rig.close();
  }
});

test('the bridge’s own posts (its answers, the mirror’s posts) and other bots’ messages are never sent to the agent', async () => {
  const rig = await startBoundRig({ platform: 'slack', blocks: { script: { delayMs: 30, final: 'Here you go.' } } });
  try {
    const fake = rig.slack!.fake;
    await command(rig, 'bridge', 'link agent claude');
    const asked = await say(rig, 'summarise the incident');
    const reply = await eventually(() => thread(rig, asked).find((m) => m.text === 'Here you go.'), 'the answer');
    // Our answer and a mirrored agent's post, as Slack delivers them back to the app, and another bot.
    await fake.deliverEvent(fake.userMessage({ channel: CHANNEL, botId: fake.botId, user: fake.botUserId, text: reply.text, threadTs: asked }));
    await fake.deliverEvent(fake.userMessage({ channel: CHANNEL, botId: fake.botId, username: 'Fluxra agent', text: 'a message mirrored from Fluxra' }));
    await fake.deliverEvent(fake.userMessage({ channel: CHANNEL, botId: 'BOTHER', text: 'deploy finished' }));
    await rig.engine.idle();
    const session = [...rig.blocks.state.sessions.values()][0]!;
    assert.equal(session.turns.length, 1, 'no follow-up from a bot or from ourselves');
    assert.equal(rig.blocks.state.sessions.size, 1);
  } finally {
    await rig.close();
  }
});
