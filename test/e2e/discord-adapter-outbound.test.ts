import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChannelRef } from '../../src/core/chat.js';
import { silentLogger } from '../../src/core/logger.js';
import { createDiscordAdapter } from '../../src/platforms/discord/index.js';
import type { RecordedCall } from '../../src/simulators/discord.js';
import { CHANNEL_ID, EXISTING_THREAD_ID, type Harness, OTHER_CHANNEL_ID, startHarness, TOKEN } from '../support/discord-harness.js';

const channel: ChannelRef = { platform: 'discord', channelId: CHANNEL_ID };
/** A post whose text mentions no Discord user as a resolved token pings nobody. */
const USERS_ONLY = { parse: [], users: [], replied_user: false };

const isMessagePost = (call: RecordedCall): boolean => call.method === 'POST' && (/^\/channels\/\d+\/messages$/.test(call.path) || /^\/webhooks\/\d+\/[^/]+$/.test(call.path));

describe('Discord adapter: outbound', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('posts as an agent through one channel webhook, found or created once and reused', async () => {
    const first = await h.adapter.post(channel, { text: 'hello from Ada', as: { name: 'Ada', iconUrl: 'https://img.test/ada.png' } });
    const second = await h.adapter.post(channel, { text: 'again', as: { name: 'Bo' } });
    const creations = h.fake.state.calls.filter((call) => call.method === 'POST' && call.path === `/channels/${CHANNEL_ID}/webhooks`);
    assert.equal(creations.length, 1);
    assert.deepEqual(creations[0]?.body, { name: 'fluxra-bridge' });
    const executions = h.fake.state.calls.filter((call) => call.method === 'POST' && call.path.startsWith('/webhooks/'));
    assert.deepEqual(
      executions.map((call) => call.query),
      [{ wait: 'true' }, { wait: 'true' }],
    );
    assert.deepEqual(executions[0]?.body, { content: 'hello from Ada', username: 'Ada', allowed_mentions: USERS_ONLY, avatar_url: 'https://img.test/ada.png' });
    const webhook = [...h.fake.state.webhooks.values()][0];
    assert.ok(webhook);
    assert.deepEqual(first, [{ platform: 'discord', channelId: CHANNEL_ID, messageId: first[0]?.messageId, meta: { webhookId: webhook.id } }]);
    assert.equal(second[0]?.meta?.['webhookId'], webhook.id);
    assert.equal(JSON.stringify(first).includes(webhook.token), false, 'the webhook token never leaves the adapter');
    assert.equal(h.fake.state.history(CHANNEL_ID).at(-1)?.author.username, 'Bo');
  });

  test('only the Discord users the text mentions as resolved tokens may be pinged; raw <@id> text pings nobody', async () => {
    await h.adapter.post(channel, { text: 'thanks <@discord:300000000000000055|Bob>, not <@300000000000000066> nor <@slack:U0ALICE|Alice>', as: { name: 'Ada' } });
    const execute = h.fake.state.calls.filter((call) => call.method === 'POST' && call.path.startsWith('/webhooks/')).at(-1);
    assert.deepEqual(execute?.body, {
      content: 'thanks <@300000000000000055>, not <\u200B@300000000000000066> nor @Alice',
      username: 'Ada',
      allowed_mentions: { parse: [], users: ['300000000000000055'], replied_user: false },
    });
  });

  test('edits and deletes a webhook message through the webhook, in a thread with thread_id', async () => {
    const [ref] = await h.adapter.post(channel, { text: 'draft', as: { name: 'Ada' } }, { threadRootId: EXISTING_THREAD_ID });
    assert.ok(ref);
    assert.equal(ref.threadRootId, EXISTING_THREAD_ID);
    await h.adapter.edit(ref, { text: 'final __answer__', as: { name: 'Ada' } });
    const webhook = [...h.fake.state.webhooks.values()][0]!;
    const patch = h.fake.state.calls.at(-1);
    assert.equal(patch?.method, 'PATCH');
    assert.equal(patch?.path, `/webhooks/${webhook.id}/${webhook.token}/messages/${ref.messageId}`);
    assert.deepEqual(patch?.query, { thread_id: EXISTING_THREAD_ID });
    assert.deepEqual(patch?.body, { content: 'final **answer**', allowed_mentions: USERS_ONLY });
    assert.equal(h.fake.state.findMessage(EXISTING_THREAD_ID, ref.messageId)?.content, 'final **answer**');
    await h.adapter.delete(ref);
    assert.equal(h.fake.state.calls.at(-1)?.method, 'DELETE');
    assert.equal(h.fake.state.findMessage(EXISTING_THREAD_ID, ref.messageId), undefined);
  });

  test('a restarted adapter edits an old webhook message by looking the webhook up again', async () => {
    const [ref] = await h.adapter.post(channel, { text: 'before restart', as: { name: 'Ada' } });
    assert.ok(ref);
    const fresh = createDiscordAdapter({ token: TOKEN, apiUrl: h.fake.apiUrl, commands: [], restRetries: 0 }, { logger: silentLogger() });
    try {
      await fresh.edit(ref, { text: 'after restart', as: { name: 'Ada' } });
    } finally {
      await fresh.stop();
    }
    assert.ok(h.fake.state.calls.some((call) => call.method === 'GET' && call.path === `/webhooks/${ref.meta?.['webhookId']}`));
    assert.equal(h.fake.state.findMessage(CHANNEL_ID, ref.messageId)?.content, 'after restart');
  });

  test('replying in a thread that does not exist yet starts it from the root message, once', async () => {
    const root = h.fake.sendMessage({ channelId: CHANNEL_ID, content: '@bridge what is up?' });
    const [reply] = await h.adapter.post(channel, { text: 'working on it' }, { threadRootId: root.id, threadName: 'Agent session' });
    const [again] = await h.adapter.post(channel, { text: 'done', as: { name: 'Ada' } }, { threadRootId: root.id });
    const starts = h.fake.state.calls.filter((call) => call.path === `/channels/${CHANNEL_ID}/messages/${root.id}/threads`);
    assert.equal(starts.length, 1);
    assert.deepEqual(starts[0]?.body, { name: 'Agent session', auto_archive_duration: 1440 });
    assert.deepEqual(reply, { platform: 'discord', channelId: CHANNEL_ID, messageId: reply?.messageId, threadRootId: root.id });
    assert.equal(again?.threadRootId, root.id);
    assert.deepEqual(
      h.fake.state.history(root.id).map((message) => message.content),
      ['working on it', 'done'],
    );
    assert.deepEqual(h.fake.state.calls.filter((call) => call.path.startsWith('/webhooks/') && call.method === 'POST').at(-1)?.query, { wait: 'true', thread_id: root.id });
  });

  test('a thread someone else started meanwhile is used as it is', async () => {
    const root = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'racing' });
    h.fake.createThread(CHANNEL_ID, 'theirs', root.id, false);
    const [reply] = await h.adapter.post(channel, { text: 'in their thread' }, { threadRootId: root.id });
    assert.equal(reply?.threadRootId, root.id);
    assert.equal(h.fake.state.history(root.id).at(-1)?.content, 'in their thread');
  });

  test('a 2,000+ character message with a code block is split into valid parts, returned in order', async () => {
    const code = Array.from({ length: 60 }, (_, i) => `const line${i} = ${i}; // some padding text here`).join('\n');
    const text = `Intro paragraph.\n\n\`\`\`ts\n${code}\n\`\`\`\n\nOutro with @everyone.`;
    assert.ok(text.length > 2000);
    const refs = await h.adapter.post({ platform: 'discord', channelId: OTHER_CHANNEL_ID }, { text });
    assert.ok(refs.length >= 2);
    const stored = h.fake.state.history(OTHER_CHANNEL_ID);
    const contents = refs.map((ref) => stored.find((message) => message.id === ref.messageId)?.content ?? '');
    for (const content of contents) {
      assert.ok(content.length <= 2000, `part of ${content.length} characters`);
      assert.equal((content.match(/^```/gm) ?? []).length % 2, 0, 'every part closes the fences it opens');
    }
    assert.ok(contents[1]?.startsWith('```ts'), 'the code block reopens with its language');
    assert.equal(
      contents
        .join('\n')
        .replace(/\n```\n```ts\n/g, '\n')
        .includes('const line59 = 59;'),
      true,
    );
    assert.ok(contents.at(-1)?.endsWith('Outro with @\u200Beveryone.'));
    assert.deepEqual(
      stored.map((message) => message.id),
      refs.map((ref) => ref.messageId),
    );
  });

  test('falls back to the bot with the name in the text when webhooks are forbidden', async () => {
    const denied = await startHarness();
    try {
      denied.fake.state.manageWebhooks = false;
      const [ref] = await denied.adapter.post(channel, { text: 'I am **here**', as: { name: 'Ada*' } });
      assert.equal(ref?.meta, undefined);
      assert.equal(denied.fake.state.history(CHANNEL_ID).at(-1)?.content, '**Ada**: I am **here**');
      const create = denied.fake.state.calls.find((call) => call.path === `/channels/${CHANNEL_ID}/webhooks`);
      assert.equal(create?.status, 403);
      // The refusal is remembered: the next post does not ask again.
      await denied.adapter.post(channel, { text: 'second', as: { name: 'Ada' } });
      assert.equal(denied.fake.state.calls.filter((call) => call.path === `/channels/${CHANNEL_ID}/webhooks`).length, 1);
      if (ref) await denied.adapter.edit(ref, { text: 'edited', as: { name: 'Ada' } });
      assert.equal(denied.fake.state.history(CHANNEL_ID).find((message) => message.id === ref?.messageId)?.content, '**Ada**: edited');
    } finally {
      await denied.close();
    }
  });

  test('reacts and unreacts with Unicode emoji', async () => {
    const target = h.fake.sendMessage({ channelId: CHANNEL_ID, content: 'react to me' });
    const ref = { platform: 'discord' as const, channelId: CHANNEL_ID, messageId: target.id };
    await h.adapter.react(ref, '👀');
    await h.adapter.react(ref, '✅');
    await h.adapter.unreact(ref, '👀');
    assert.deepEqual([...(h.fake.state.reactions.get(`${CHANNEL_ID}/${target.id}`) ?? [])], ['✅']);
  });

  test('survives a REST 429: discord.js waits for retry-after and the post goes through', async () => {
    h.fake.rateLimit({ method: 'POST', path: new RegExp(`^/channels/${OTHER_CHANNEL_ID}/messages$`), count: 1, retryAfterSeconds: 0.05 });
    const [ref] = await h.adapter.post({ platform: 'discord', channelId: OTHER_CHANNEL_ID }, { text: 'after the limit' });
    const attempts = h.fake.state.calls.filter((call) => call.method === 'POST' && call.path === `/channels/${OTHER_CHANNEL_ID}/messages`).slice(-2);
    assert.deepEqual(
      attempts.map((call) => call.status),
      [429, 200],
    );
    assert.equal(h.fake.state.history(OTHER_CHANNEL_ID).at(-1)?.id, ref?.messageId);
  });

  test('every message post without mention tokens carried allowed_mentions that ping nobody', () => {
    const posts = h.fake.state.calls.filter((call) => isMessagePost(call) && call.status === 200 && !String((call.body as { content?: string }).content).includes('thanks'));
    assert.ok(posts.length >= 8);
    for (const call of posts) assert.deepEqual((call.body as { allowed_mentions?: unknown }).allowed_mentions, USERS_ONLY, `${call.method} ${call.path}`);
  });

  test('no log line contains the bot token or a webhook token', () => {
    const text = JSON.stringify(h.logs);
    assert.equal(text.includes(TOKEN), false);
    for (const webhook of h.fake.state.webhooks.values()) assert.equal(text.includes(webhook.token), false);
  });
});
