/**
 * `postOnce` against the real adapters and the fake platforms: a post whose recording was
 * lost (intent written, post made, crash before the record) is found in history and not
 * repeated; on both platforms, top-level and in threads, as the bot and as an agent.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ChannelRef, ChatAdapter, MessageRef, OutboundMessage, PostOptions } from '../../src/core/chat.js';
import { silentLogger } from '../../src/core/logger.js';
import { POST_INTENTS_NAMESPACE, POST_RESULTS_NAMESPACE, type PostIntent, postKey, postOnceDetailed } from '../../src/delivery/post-once.js';
import { renderedSlackParts } from '../../src/platforms/slack/own-posts.js';
import { createStore, type Store } from '../../src/store/index.js';
import { CHANNEL_ID, type Harness, startHarness } from '../support/discord-harness.js';
import { type SlackPair, startSlackPair } from '../support/slack-harness.js';

interface Platform {
  name: 'slack' | 'discord';
  adapter: () => ChatAdapter;
  channel: ChannelRef;
  /** A root message written by a person, to thread under. */
  personRoot: (text: string) => string;
  /** Our live posts in the channel (or thread) whose text contains `needle`. */
  postsContaining: (needle: string, threadRootId?: string) => string[];
}

let seq = 0;
const uniqueText = (label: string): string => `${label} ${process.pid}-${++seq}`;

describe('postOnce on both platforms', () => {
  let dir = '';
  let store: Store;
  let slack: SlackPair;
  let discord: Harness;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'post-once-'));
    store = await createStore({ path: join(dir, 'store.db') }, { logger: silentLogger() });
    slack = await startSlackPair('http');
    discord = await startHarness();
  });
  after(async () => {
    await slack.stop();
    await discord.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const platforms: Platform[] = [
    {
      name: 'slack',
      adapter: () => slack.adapter,
      channel: { platform: 'slack', channelId: 'C0GENERAL' },
      personRoot: (text) => String(slack.fake.userMessage({ channel: 'C0GENERAL', user: 'U0ALICE', text }).ts),
      postsContaining: (needle, threadRootId) =>
        slack.fake.state
          .history('C0GENERAL')
          .filter((m) => !m.deleted && m.text.includes(needle) && (threadRootId ? m.threadTs === threadRootId : !m.threadTs))
          .map((m) => m.ts),
    },
    {
      name: 'discord',
      adapter: () => discord.adapter,
      channel: { platform: 'discord', channelId: CHANNEL_ID },
      personRoot: (text) => discord.fake.sendMessage({ channelId: CHANNEL_ID, content: text }).id,
      postsContaining: (needle, threadRootId) =>
        discord.fake.state
          .history(threadRootId ?? CHANNEL_ID)
          .filter((m) => m.content.includes(needle))
          .map((m) => m.id),
    },
  ];

  /**
   * What a crash after the post and before the record leaves: the intent, and the post. The
   * intent in today's form (the key's record, before its result replaces it) or as releases
   * before kept it (a namespace of its own), which an upgrade after a crash must still honour.
   */
  async function postWithLostRecord(
    platform: Platform,
    key: string,
    message: OutboundMessage,
    options: PostOptions = {},
    form: 'current' | 'legacy' = 'legacy',
  ): Promise<MessageRef[]> {
    const namespace = form === 'current' ? POST_RESULTS_NAMESPACE : POST_INTENTS_NAMESPACE;
    await store.kv<PostIntent>(namespace).set(key, { key, channel: platform.channel, startedAt: Date.now() });
    return platform.adapter().post(platform.channel, message, options);
  }

  for (const platform of platforms) {
    test(`${platform.name}: a post whose record postOnce itself did not get to write is found, not repeated`, async () => {
      const text = uniqueText('crashed after posting');
      const message: OutboundMessage = { text, as: { name: 'weather-bot' } };
      const key = postKey(uniqueText('msg'), platform.channel);
      // The post goes out, then the process "dies" before recording it.
      const real = platform.adapter();
      const crashing: ChatAdapter = Object.create(real, {
        post: {
          value: async (channel: ChannelRef, outbound: OutboundMessage, options?: PostOptions) => {
            await real.post(channel, outbound, options);
            throw new Error('crash before the record');
          },
        },
      }) as ChatAdapter;
      await assert.rejects(postOnceDetailed({ store, adapter: crashing, channel: platform.channel, message, key }), /crash before the record/);
      const outcome = await postOnceDetailed({ store, adapter: real, channel: platform.channel, message, key });
      assert.equal(outcome.how, 'found');
      assert.equal(platform.postsContaining(text).length, 1);
      assert.equal((await postOnceDetailed({ store, adapter: real, channel: platform.channel, message, key })).how, 'known');
    });

    for (const [where, who, form] of [
      ['channel', 'bot', 'legacy'],
      ['channel', 'agent', 'legacy'],
      ['thread', 'bot', 'legacy'],
      ['thread', 'agent', 'legacy'],
      ['channel', 'agent', 'current'],
      ['thread', 'bot', 'current'],
    ] as const) {
      test(`${platform.name}: ${who === 'agent' ? 'an agent' : 'a bot'} post in a ${where} whose record was lost is found, not repeated (${form} intent)`, async () => {
        const text = uniqueText(`**hello** from ${who} in ${where}`);
        const message: OutboundMessage = who === 'agent' ? { text, as: { name: 'weather-bot' } } : { text };
        const options: PostOptions = where === 'thread' ? { threadRootId: platform.personRoot(uniqueText('root')) } : {};
        const key = postKey(uniqueText('msg'), platform.channel);
        const posted = await postWithLostRecord(platform, key, message, options, form);

        const outcome = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, options, key });
        assert.equal(outcome.how, 'found');
        assert.deepEqual(outcome.refs, posted, 'the same refs post() returned, meta included');
        const needle = text.split(' ').at(-1) ?? text;
        assert.deepEqual(
          platform.postsContaining(needle, options.threadRootId),
          posted.map((ref) => ref.messageId),
        );

        const again = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, options, key });
        assert.equal(again.how, 'known');
        assert.deepEqual(again.refs, posted);
        assert.equal(platform.postsContaining(needle, options.threadRootId).length, 1);
      });
    }

    test(`${platform.name}: the added parts of a grown edit whose record was lost are found, not repeated`, async () => {
      const marker = uniqueText('grown');
      // Numbered words: no two parts read alike.
      const words = (word: string): string => Array.from({ length: 900 }, (_, i) => `${word}${i}`).join(' ');
      const message: OutboundMessage = { text: `${marker}\n\n${words('golf')}\n\n${words('hotel')}`, as: { name: 'weather-bot' } };
      const options: PostOptions = { fromPart: 1 };
      const key = postKey(uniqueText('msg'), platform.channel);
      const posted = await postWithLostRecord(platform, key, message, options, 'current');
      assert.ok(posted.length >= 1);
      const outcome = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, options, key });
      assert.equal(outcome.how, 'found');
      assert.deepEqual(outcome.refs, posted);
      assert.equal(platform.postsContaining(marker).length, 0, 'the first part was never posted here');
      const hotel = platform.postsContaining('hotel');
      assert.ok(hotel.length > 0 && hotel.every((id) => posted.some((ref) => ref.messageId === id)), 'no part posted again');
    });

    test(`${platform.name}: an intent without a post (crash before posting) posts exactly once`, async () => {
      const text = uniqueText('never posted');
      const key = postKey(uniqueText('msg'), platform.channel);
      await store.kv<PostIntent>(POST_INTENTS_NAMESPACE).set(key, { key, channel: platform.channel, startedAt: Date.now() });
      const outcome = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message: { text, as: { name: 'weather-bot' } }, key });
      assert.equal(outcome.how, 'posted');
      assert.deepEqual(
        platform.postsContaining(text),
        outcome.refs.map((ref) => ref.messageId),
      );
      assert.equal(await store.kv<PostIntent>(POST_INTENTS_NAMESPACE).get(key), undefined, 'the intent is cleared');
    });

    test(`${platform.name}: two messages with the same text are two posts, even after a lost record`, async () => {
      const text = uniqueText('ok');
      const message: OutboundMessage = { text, as: { name: 'weather-bot' } };
      const first = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, key: postKey(uniqueText('a'), platform.channel) });
      assert.equal(first.how, 'posted');
      // The second message's attempt crashed before posting: history shows the first one only.
      const secondKey = postKey(uniqueText('b'), platform.channel);
      await store.kv<PostIntent>(POST_INTENTS_NAMESPACE).set(secondKey, { key: secondKey, channel: platform.channel, startedAt: Date.now() });
      const second = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, key: secondKey });
      assert.equal(second.how, 'posted', 'the first post is claimed by the first key');
      assert.notDeepEqual(second.refs, first.refs);
      assert.equal(platform.postsContaining(text).length, 2);
    });
  }

  test('discord: a split message found after a lost record returns every part', async () => {
    const platform = platforms[1] as Platform;
    const marker = uniqueText('long');
    const text = `${marker}\n\n${'word '.repeat(300)}\n\n${'more '.repeat(300)}`;
    const message: OutboundMessage = { text, as: { name: 'weather-bot' } };
    const key = postKey(uniqueText('msg'), platform.channel);
    const posted = await postWithLostRecord(platform, key, message);
    assert.equal(posted.length, 2);
    const outcome = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, key });
    assert.equal(outcome.how, 'found');
    assert.deepEqual(outcome.refs, posted);
  });

  test('slack: a 12,000-character answer whose second part hits one 5xx ends with every part posted once, in order', async () => {
    const platform = platforms[0] as Platform;
    const marker = uniqueText('long answer');
    const paragraph = (word: string): string => `${word} `.repeat(1_000).trim();
    const text = `${marker}\n\n${paragraph('alpha')}\n\n${paragraph('bravo')}`;
    assert.ok(text.length > 12_000);
    const message: OutboundMessage = { text, as: { name: 'weather-bot' } };
    const options: PostOptions = { threadRootId: platform.personRoot(uniqueText('question')) };
    const key = postKey(uniqueText('answer'), platform.channel);
    const ours = (): string[] =>
      slack.fake.state
        .history('C0GENERAL')
        .filter((m) => !m.deleted && m.threadTs === options.threadRootId && m.ts !== options.threadRootId)
        .map((m) => m.text);

    slack.fake.serverError('chat.postMessage', { skip: 1 });
    await assert.rejects(postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, options, key }));
    assert.equal(ours().length, 1, 'the first part went out before the 5xx');

    const outcome = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, options, key });
    assert.equal(outcome.how, 'resumed');
    const parts = renderedSlackParts(message);
    assert.ok(parts.length >= 3);
    assert.deepEqual(ours(), parts, 'every part exactly once, in order');
    assert.equal(outcome.refs.length, parts.length);

    const again = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, options, key });
    assert.equal(again.how, 'known');
    assert.deepEqual(again.refs, outcome.refs);
    assert.deepEqual(ours(), parts);
  });

  test('discord: a long answer whose second part hits one 5xx ends with every part posted once, in order', async () => {
    const platform = platforms[1] as Platform;
    const marker = uniqueText('long discord answer');
    const words = (word: string): string => Array.from({ length: 300 }, (_, i) => `${word}${i}`).join(' ');
    const message: OutboundMessage = { text: `${marker}\n\n${words('india')}\n\n${words('juliett')}\n\n${words('kilo')}`, as: { name: 'weather-bot' } };
    const key = postKey(uniqueText('answer'), platform.channel);
    discord.fake.state.rateLimits.push({ method: 'POST', path: /^\/webhooks\//, remaining: 1, retryAfterSeconds: 0, status: 503, skip: 1 });
    await assert.rejects(postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, key }));
    assert.equal(platform.postsContaining(marker).length, 1, 'the first part went out before the 5xx');

    const outcome = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message, key });
    assert.equal(outcome.how, 'resumed');
    const contents = discord.fake.state
      .history(CHANNEL_ID)
      .filter((m) => outcome.refs.some((ref) => ref.messageId === m.id))
      .map((m) => m.content);
    assert.ok(contents.length >= 3);
    assert.ok(contents[0]?.startsWith(marker), 'the first part first');
    for (const word of ['india299', 'juliett299', 'kilo299']) assert.equal(contents.join(' ').split(word).length - 1, 1, `${word} exactly once`);
    const joined = contents.join(' ');
    const positions = ['india0 ', 'india299', 'juliett0 ', 'juliett299', 'kilo0 ', 'kilo299'].map((word) => joined.indexOf(word));
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
      'in order',
    );
    assert.ok(positions.every((at) => at >= 0));
    for (const word of ['india0 ', 'juliett0 ', 'kilo0 ']) assert.equal(platform.postsContaining(word).length, 1, `the part with ${word.trim()} posted once`);
  });

  test('discord: a post made as the bot is not taken for one made as an agent', async () => {
    const platform = platforms[1] as Platform;
    const text = uniqueText('same words');
    const key = postKey(uniqueText('msg'), platform.channel);
    await postWithLostRecord(platform, key, { text });
    const outcome = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message: { text, as: { name: 'weather-bot' } }, key });
    assert.equal(outcome.how, 'posted');
    assert.equal(platform.postsContaining(text).length, 2);
  });

  test('slack: a post under another username is not taken for ours', async () => {
    const platform = platforms[0] as Platform;
    const text = uniqueText('same words');
    const key = postKey(uniqueText('msg'), platform.channel);
    await postWithLostRecord(platform, key, { text, as: { name: 'someone-else' } });
    const outcome = await postOnceDetailed({ store, adapter: platform.adapter(), channel: platform.channel, message: { text, as: { name: 'weather-bot' } }, key });
    assert.equal(outcome.how, 'posted');
    assert.equal(platform.postsContaining(text).length, 2);
  });
});
