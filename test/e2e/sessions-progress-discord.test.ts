/**
 * Issue 18 on Discord (real discord.js against the fake): while a turn runs, its thread shows
 * the typing indicator (sent again under Discord's 10 s expiry) and the status message is
 * edited into a compact step list; at the end the typing stops, the status says done and the
 * answer is posted as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIMessage } from 'discord.js';
import { DISCORD_CHANNEL, eventually, type SessionsRig, startSessionsRig } from './sessions-harness.js';

function messagesIn(rig: SessionsRig, channelId: string): APIMessage[] {
  return rig.discord!.fake.state.messages.get(channelId) ?? [];
}

test('Discord: typing in the thread and the step list in the status message while the turn runs; done and the answer after', async () => {
  const rig = await startSessionsRig({
    platform: 'discord',
    blocks: {
      script: {
        delayMs: 1_500,
        progress: ['Reading the failing test', 'Found the race in the setup'],
        toolCalls: [
          { name: 'bash', input: 'npm test' },
          { name: 'edit', input: { file_path: 'src/setup.ts' } },
        ],
      },
    },
    // Short intervals instead of wall-clock waits: typing every 100 ms stands for every 8 s.
    sessions: { progressMinEditMs: 20, progressTypingEveryMs: 100, progressStepsShown: 3 },
  });
  try {
    const fake = rig.discord!.fake;
    const self = rig.discord!.adapter.selfUserId;
    const asked = fake.sendMessage({ channelId: DISCORD_CHANNEL, content: `<@${self}> fix the flaky test` });
    const typing = () => fake.state.calls.filter((call) => call.method === 'POST' && call.path === `/channels/${asked.id}/typing`).length;
    const edits = () =>
      fake.state.calls
        .filter((call) => call.method === 'PATCH' && call.path.startsWith(`/channels/${asked.id}/messages/`))
        .map((call) => String((call.body as { content?: unknown }).content));
    const list = await eventually(() => edits().find((content) => content.includes('• running `bash npm test`')), 'the step list in the status message');
    assert.match(list, /^claude is working…/);
    assert.match(list, /\n\d steps?: \d tool calls?, \d messages?$/);
    await eventually(() => typing() >= 3 && typing(), 'typing sent again while the turn runs');
    await eventually(() => messagesIn(rig, asked.id).find((m) => m.content === 'Done: fix the flaky test'), 'the answer, posted as before');
    const finalList =
      edits()
        .filter((content) => content.includes('•'))
        .at(-1) ?? '';
    assert.match(finalList, /• running `edit src\/setup\.ts`/);
    assert.ok(finalList.split('\n').filter((line) => line.startsWith('•')).length <= 3, 'the last N steps only');
    const status = await eventually(() => messagesIn(rig, asked.id).find((m) => /^claude: done\./.test(m.content)), 'the status done');
    assert.ok(status);
    const typedAtEnd = typing();
    // Four typing periods later, still nothing new.
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(typing(), typedAtEnd, 'no typing once the turn ended');
  } finally {
    await rig.close();
  }
});
