import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BridgeError, RateLimitedError, UpstreamError } from '../../src/core/errors.js';
import { type SlackPair, startSlackPair } from '../support/slack-harness.js';

const channel = { platform: 'slack' as const, channelId: 'C0GENERAL' };

async function withPair(mode: 'socket' | 'http', run: (pair: SlackPair) => Promise<void>, clientRetries = 0): Promise<void> {
  const pair = await startSlackPair(mode, { adapter: { clientRetries } });
  try {
    await run(pair);
  } finally {
    await pair.stop();
  }
}

for (const mode of ['socket', 'http'] as const) {
  describe(`Slack adapter outbound (${mode} mode)`, () => {
    test('post sends mrkdwn with username, icon and thread, links unfurled never, and returns refs in the thread', () =>
      withPair(mode, async ({ fake, adapter }) => {
        const [root] = await adapter.post(channel, { text: 'Question?' });
        assert.ok(root);
        const refs = await adapter.post(
          channel,
          { text: '**Answer** for <@slack:U0ALICE|Alice> @here', as: { name: 'Researcher', iconUrl: 'https://img.test/r.png' } },
          { threadRootId: root.messageId },
        );
        assert.deepEqual(refs, [{ platform: 'slack', channelId: 'C0GENERAL', messageId: refs[0]?.messageId, threadRootId: root.messageId }]);
        const calls = fake.state.callsTo('chat.postMessage');
        assert.deepEqual(calls[1]?.args, {
          channel: 'C0GENERAL',
          text: '*Answer* for <@U0ALICE> @\u200Bhere',
          unfurl_links: 'false',
          unfurl_media: 'false',
          thread_ts: root.messageId,
          username: 'Researcher',
          icon_url: 'https://img.test/r.png',
        });
        assert.equal(fake.state.history('C0GENERAL').at(-1)?.threadTs, root.messageId);
      }));

    test('long text becomes several messages in order, code fences closed and reopened', () =>
      withPair(mode, async ({ fake, adapter }) => {
        const code = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(10)}`).join('\n');
        const text = `Intro paragraph.\n\n\`\`\`python\n${code}\n\`\`\`\n\nOutro.`;
        const refs = await adapter.post(channel, { text }, { threadRootId: '1700000000.000001' }).catch((error: unknown) => error);
        // The thread root does not exist in the fake: Slack refuses, and so do we.
        assert.ok(refs instanceof UpstreamError && refs.detail === 'thread_not_found');
        const [root] = await adapter.post(channel, { text: 'root' });
        const parts = await adapter.post(channel, { text }, { threadRootId: root?.messageId });
        assert.ok(parts.length >= 2);
        const sent = fake.state
          .callsTo('chat.postMessage')
          .slice(-parts.length)
          .map((call) => String(call.args.text));
        assert.deepEqual(
          parts.map((ref) => ref.messageId),
          fake.state
            .history('C0GENERAL')
            .slice(-parts.length)
            .map((message) => message.ts),
        );
        assert.ok(sent[0]?.startsWith('Intro paragraph.'));
        assert.ok(sent.at(-1)?.endsWith('Outro.'));
        for (const part of sent) {
          assert.ok(part.length <= 3_900);
          assert.equal((part.match(/```/g) ?? []).length % 2, 0, 'every part closes its code fence');
        }
        assert.equal(sent.join('\n').match(/line \d+ x+/g)?.length, 400, 'every code line arrives exactly once');
        assert.ok(parts.every((ref) => ref.threadRootId === root?.messageId));
      }));

    test('edit, delete, react and unreact call the Web API with Slack names', () =>
      withPair(mode, async ({ fake, adapter }) => {
        const [ref] = await adapter.post(channel, { text: 'working' });
        assert.ok(ref);
        await adapter.edit(ref, { text: 'done ~~maybe~~' });
        await adapter.react(ref, '✅');
        await adapter.react(ref, '👀');
        await adapter.react(ref, '⏳');
        await adapter.react(ref, '❌');
        await adapter.react(ref, '✅');
        await adapter.unreact(ref, '⏳');
        await adapter.unreact(ref, '⏳');
        await adapter.delete(ref);
        await adapter.delete(ref);
        assert.deepEqual(fake.state.callsTo('chat.update')[0]?.args, { channel: 'C0GENERAL', ts: ref.messageId, text: 'done ~maybe~' });
        assert.deepEqual(
          fake.state.calls.filter((call) => call.method.startsWith('reactions.')).map((call) => `${call.method} ${String(call.args.name)}`),
          [
            'reactions.add white_check_mark',
            'reactions.add eyes',
            'reactions.add hourglass_flowing_sand',
            'reactions.add x',
            'reactions.add white_check_mark',
            'reactions.remove hourglass_flowing_sand',
            'reactions.remove hourglass_flowing_sand',
          ],
        );
        assert.deepEqual(fake.state.callsTo('chat.delete')[0]?.args, { channel: 'C0GENERAL', ts: ref.messageId });
        assert.equal(fake.state.history('C0GENERAL')[0]?.deleted, true);
        await assert.rejects(adapter.react(ref, '🦄'), (error: unknown) => error instanceof BridgeError && error.code === 'SLACK_UNKNOWN_EMOJI');
      }));
  });
}

test('a 429 from the Web API is waited out and retried when retries are on', () =>
  withPair(
    'socket',
    async ({ fake, adapter }) => {
      fake.rateLimit('chat.postMessage', 1);
      const refs = await adapter.post(channel, { text: 'after the limit' });
      assert.equal(refs.length, 1);
      assert.equal(fake.state.callsTo('chat.postMessage').length, 2);
      assert.equal(fake.state.history('C0GENERAL').length, 1);
    },
    2,
  ));

test('without retries a 429 surfaces as a RateLimitedError naming the method, not the token', () =>
  withPair('socket', async ({ fake, adapter }) => {
    fake.rateLimit('chat.postMessage', 0);
    const error = await adapter.post(channel, { text: 'x' }).catch((caught: unknown) => caught);
    assert.ok(error instanceof RateLimitedError, String(error));
    assert.equal(error.service, 'slack');
    assert.match(error.url, /chat\.postMessage$/);
    assert.ok(!JSON.stringify({ message: error.message, detail: error.detail }).includes('xoxb-'));
  }));

test('a wrong bot token fails start with invalid_auth and no token in the message', async () => {
  const pair = await startSlackPair('socket');
  try {
    const { createSlackAdapter } = await import('../../src/platforms/slack/index.js');
    const { silentLogger } = await import('../../src/core/logger.js');
    const adapter = createSlackAdapter(
      { botToken: 'xoxb-9999_wrong_token', appToken: 'xapp-1-A1-2-wrong', mode: 'socket', port: 0, apiUrl: pair.fake.apiUrl, commandNames: [], clientRetries: 0 },
      { logger: silentLogger() },
    );
    const error = await adapter.start().catch((caught: unknown) => caught);
    assert.ok(error instanceof UpstreamError, String(error));
    assert.equal(error.detail, 'invalid_auth');
    assert.ok(!error.message.includes('xoxb-9999'));
  } finally {
    await pair.stop();
  }
});
