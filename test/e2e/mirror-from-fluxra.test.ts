/**
 * Fluxra → Slack and Discord through the real poller, client, adapters and store, against
 * the fakes: an agent talking in a linked conversation shows up in both channels under its
 * name, replies land in threads, edits and deletes follow, nothing pings a whole channel,
 * our own messages do not come back, and neither a failed delivery, a restart nor a 429
 * loses or doubles anything.
 */

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { APIMessage } from 'discord.js';
import { messageKey } from '../../src/core/keys.js';
import { POST_CLAIMS_NAMESPACE, POST_INTENTS_NAMESPACE, POST_RESULTS_NAMESPACE, type PostIntent, postKey } from '../../src/delivery/post-once.js';
import type { FromFluxraItem } from '../../src/mirror/from-fluxra/deliver.js';
import { fromFluxraPartition } from '../../src/mirror/mirror-item.js';
import type { FakeSlackMessage } from '../../src/simulators/slack/state.js';
import { eventually, type Pair, startWorld, type World } from './mirror-from-fluxra-harness.js';

describe('Fluxra → platforms', () => {
  let w: World;
  before(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await w.stopPollers();
  });
  after(async () => {
    await w.close();
  });

  /** Our live posts in a Slack channel (or one thread of it), oldest first. */
  const slackPosts = (pair: Pair, threadTs?: string): FakeSlackMessage[] =>
    w.slack.fake.state.history(pair.slack.channelId).filter((m) => !m.deleted && m.botId === w.slack.fake.botId && (threadTs ? m.threadTs === threadTs : !m.threadTs));
  /** Messages in a Discord channel or thread channel, oldest first. */
  const discordPosts = (channelId: string): APIMessage[] => w.discord.fake.state.history(channelId);
  const say = (pair: Pair, content: string, inReplyTo?: string) =>
    w.fluxra.postAs(w.agent.agentId, { conversationId: pair.conversationId, content, ...(inReplyTo ? { inReplyTo } : {}) });

  /** A linked pair and a started poller that has its first cursor. */
  const pollingPair = async () => {
    const pair = await w.linkPair();
    const poller = w.poller();
    await poller.start();
    await eventually(async () => w.store.cursors.get(pair.conversationId), 'the first cursor');
    return { pair, poller };
  };

  const arrived = (pair: Pair, needle: string) =>
    eventually(() => {
      const slack = slackPosts(pair).find((m) => m.text.includes(needle));
      const discord = discordPosts(pair.discord.channelId).find((m) => m.content.includes(needle));
      return slack && discord ? { slack, discord } : undefined;
    }, `"${needle}" on both platforms`);

  test('a newly linked conversation starts from now; an agent message reaches both channels under its name', async () => {
    const poller = w.poller();
    await poller.start();
    const pair = w.newPair();
    const history = say(pair, 'old history, before the link');
    // Linked at run time (the poller is already running), after the history was written.
    await w.link(pair, Date.parse(history.createdAt) + 1);
    await eventually(async () => w.store.cursors.get(pair.conversationId), 'the first cursor');

    const own = w.fluxra.postAs(w.bridge.agentId, { conversationId: pair.conversationId, content: '[Alice · Slack] mirrored by us' });
    const sunny = say(pair, 'Sunny, **21 °C** today');
    const { slack, discord } = await arrived(pair, '21 °C');

    assert.equal(slack.username, 'weather-bot');
    assert.equal(slack.text, 'Sunny, *21 °C* today');
    assert.equal(discord.author.username, 'weather-bot');
    assert.ok(discord.webhook_id, 'posted through our webhook');
    assert.equal(discord.content, 'Sunny, **21 °C** today');
    // Earlier in the same conversation, so already read: neither history nor our own message came.
    for (const text of ['old history', 'mirrored by us']) {
      assert.equal(
        slackPosts(pair).some((m) => m.text.includes(text)),
        false,
        text,
      );
      assert.equal(
        discordPosts(pair.discord.channelId).some((m) => m.content.includes(text)),
        false,
        text,
      );
    }
    assert.ok(own.messageId);
    const copies = await eventually(async () => {
      const known = await w.store.messageMap.copiesOf(sunny.messageId);
      return known.length === 2 ? known : undefined;
    }, 'both copies recorded');
    assert.deepEqual(copies.map((ref) => ref.platform).sort(), ['discord', 'slack']);
    // Written once the whole batch is delivered, a moment after the copies are recorded.
    const status = await eventually(async () => w.store.kv<{ lastDirection: string; lastDeliveryAt: number }>('link-status').get(pair.conversationId), 'the delivery record');
    assert.equal(status.lastDirection, 'from-fluxra');
    assert.equal(typeof status.lastDeliveryAt, 'number');
    const reads = w.scheduled.filter((options) => options.label?.includes('listMessages'));
    assert.ok(reads.length > 0, JSON.stringify(w.scheduled.slice(0, 5)));
    assert.ok(
      reads.every((options) => options.priority === 'background'),
      'polls run at background priority',
    );
    await poller.stop();
  });

  test('a reply to a mapped message lands in its thread on both platforms', async () => {
    const { pair, poller } = await pollingPair();
    const question = say(pair, 'Forecast thread root');
    const root = await arrived(pair, 'Forecast thread root');
    say(pair, 'Tomorrow: rain', question.messageId);

    const slackReply = await eventually(() => slackPosts(pair, root.slack.ts).find((m) => m.text === 'Tomorrow: rain'), 'the Slack reply in the thread');
    assert.equal(slackReply.username, 'weather-bot');
    const discordReply = await eventually(() => discordPosts(root.discord.id).find((m) => m.content === 'Tomorrow: rain'), 'the Discord reply in the thread');
    assert.equal(discordReply.author.username, 'weather-bot');
    assert.equal(w.discord.fake.state.channels.get(root.discord.id)?.type, 11, 'a thread started from the root copy');
    assert.equal(
      slackPosts(pair).some((m) => m.text === 'Tomorrow: rain'),
      false,
      'not top-level on Slack',
    );
    assert.equal(
      discordPosts(pair.discord.channelId).some((m) => m.content === 'Tomorrow: rain'),
      false,
      'not top-level on Discord',
    );
    await poller.stop();
  });

  test('nothing from Fluxra pings a whole channel', async () => {
    const { pair, poller } = await pollingPair();
    say(pair, 'ALERT @everyone @here @channel <!channel> <!here> <!everyone> <!subteam^S1>');
    const { slack, discord } = await arrived(pair, 'ALERT');

    assert.doesNotMatch(slack.text, /<!/);
    assert.doesNotMatch(slack.text, /@(everyone|here|channel)\b/);
    assert.doesNotMatch(discord.content, /@(everyone|here)\b/);
    const execute = w.discord.fake.state.calls.filter(
      (call) => call.method === 'POST' && call.path.startsWith('/webhooks/') && String((call.body as { content?: string }).content).startsWith('ALERT'),
    );
    assert.equal(execute.length, 1);
    assert.deepEqual((execute[0]?.body as { allowed_mentions?: unknown }).allowed_mentions, { parse: [], users: [], replied_user: false });
    await poller.stop();
  });

  test('mention syntax in a Fluxra message never pings anyone on either platform', async () => {
    const { pair, poller } = await pollingPair();
    say(pair, 'MENTIONS <@U0SLACKADMIN> <@slack:U0SLACKADMIN|Admin> <@300000000000000055> <@discord:300000000000000055|Bob>');
    const { slack, discord } = await arrived(pair, 'MENTIONS');
    assert.doesNotMatch(slack.text, /<@/, 'no Slack user mention');
    assert.doesNotMatch(discord.content, /<@\d/, 'no Discord user mention');
    const execute = w.discord.fake.state.calls.filter(
      (call) => call.method === 'POST' && call.path.startsWith('/webhooks/') && String((call.body as { content?: string }).content).startsWith('MENTIONS'),
    );
    assert.deepEqual((execute[0]?.body as { allowed_mentions?: unknown }).allowed_mentions, { parse: [], users: [], replied_user: false });
    await poller.stop();
  });

  test('an edit and a delete in Fluxra follow to both platforms', async () => {
    const { pair, poller } = await pollingPair();
    const message = say(pair, 'Draft: cloudy');
    const { slack, discord } = await arrived(pair, 'Draft: cloudy');

    w.fluxra.editAs(w.agent.agentId, message.messageId, 'Final: **clear skies**');
    await eventually(() => (w.slack.fake.state.findMessage(pair.slack.channelId, slack.ts)?.text === 'Final: *clear skies*' ? true : undefined), 'the Slack edit');
    await eventually(() => (w.discord.fake.state.findMessage(pair.discord.channelId, discord.id)?.content === 'Final: **clear skies**' ? true : undefined), 'the Discord edit');

    w.fluxra.deleteAs(w.agent.agentId, message.messageId);
    await eventually(() => (w.slack.fake.state.findMessage(pair.slack.channelId, slack.ts) === undefined ? true : undefined), 'the Slack delete');
    await eventually(() => (w.discord.fake.state.findMessage(pair.discord.channelId, discord.id) === undefined ? true : undefined), 'the Discord delete');
    // Each change is applied once, however many scans see it.
    const edits = w.slack.fake.state.callsTo('chat.update').filter((call) => call.args.ts === slack.ts);
    assert.equal(edits.length, 1);
    await poller.stop();
  });

  /** A long agent text near Fluxra's 10,000-character limit: `marker`, then a paragraph of each word repeated. */
  const longText = (marker: string, words: string[]): string =>
    [marker, ...words.map((word) => `${word} `.repeat(Math.floor(9_600 / words.length / (word.length + 1))).trim())].join('\n\n');
  /** How often `word` occurs in the texts, whole. */
  const count = (texts: string[], word: string): number => texts.join(' ').split(word).length - 1;

  test('a 9,600-character message whose second Slack part hits one 5xx ends with every part posted once, in order', async () => {
    const { pair, poller } = await pollingPair();
    const text = longText('LONG-5XX', ['alpha', 'bravo', 'charlie']);
    w.slack.fake.serverError('chat.postMessage', { skip: 1 });
    say(pair, text);
    const posted = await eventually(() => {
      const texts = slackPosts(pair).map((m) => m.text);
      return count(texts, 'charlie') > 0 && texts.at(-1)?.endsWith('charlie') ? texts : undefined;
    }, 'the whole message on Slack');
    assert.ok(posted.length >= 3, 'split into parts');
    assert.ok(posted[0]?.startsWith('LONG-5XX'), 'the first part first');
    assert.equal(count(posted, 'LONG-5XX'), 1, 'each part exactly once');
    for (const word of ['alpha', 'bravo', 'charlie']) assert.equal(count(posted, word), count([text], word), `every "${word}", once`);
    await poller.stop();
  });

  test('an edit that grows a message past the platform limit posts the extra parts after it and logs it', async () => {
    const { pair, poller } = await pollingPair();
    const message = say(pair, 'GROW short draft');
    const { slack, discord } = await arrived(pair, 'GROW short draft');

    const text = longText('GROW grown', ['delta', 'echo', 'foxtrot']);
    w.fluxra.editAs(w.agent.agentId, message.messageId, text);
    const slackTexts = await eventually(() => {
      const texts = slackPosts(pair).map((m) => m.text);
      return texts[0]?.startsWith('GROW grown') && count(texts, 'foxtrot') === count([text], 'foxtrot') ? texts : undefined;
    }, 'the grown message on Slack');
    const discordTexts = await eventually(() => {
      const texts = discordPosts(pair.discord.channelId).map((m) => m.content);
      return texts[0]?.startsWith('GROW grown') && count(texts, 'foxtrot') === count([text], 'foxtrot') ? texts : undefined;
    }, 'the grown message on Discord');

    assert.equal(slackPosts(pair)[0]?.ts, slack.ts, 'the first part is the edited message');
    assert.equal(discordPosts(pair.discord.channelId)[0]?.id, discord.id);
    for (const texts of [slackTexts, discordTexts]) {
      assert.ok(texts.length > 1);
      for (const word of ['delta', 'echo', 'foxtrot']) assert.equal(count(texts, word), count([text], word), `every "${word}", once`);
    }
    assert.ok(
      w.logs.some((line) => String(line.msg).includes('posted the extra parts')),
      'the growth is logged',
    );

    // A delete then removes every part.
    w.fluxra.deleteAs(w.agent.agentId, message.messageId);
    await eventually(() => (slackPosts(pair).length === 0 ? true : undefined), 'every Slack part deleted');
    await eventually(() => (discordPosts(pair.discord.channelId).length === 0 ? true : undefined), 'every Discord part deleted');
    await poller.stop();
  });

  test('the cursor moves once each channel has its copy queued; a refusing Slack holds back only Slack, in order; a restart with a lost record neither loses nor doubles', async () => {
    const pair = await w.linkPair();
    const first = w.poller();
    await first.start();
    const initial = await eventually(async () => w.store.cursors.get(pair.conversationId), 'the first cursor');
    say(pair, 'step 1');
    await arrived(pair, 'step 1');
    const cursorAfterStep1 = await eventually(async () => {
      const cursor = await w.store.cursors.get(pair.conversationId);
      return cursor !== initial ? cursor : undefined;
    }, 'the cursor after step 1');

    // Slack refuses every post for now (429): Discord gets steps 2 and 3 all the same.
    w.slack.fake.rateLimit('chat.postMessage', 0, 1_000_000);
    const step2 = say(pair, 'step 2');
    say(pair, 'step 3');
    await eventually(() => discordPosts(pair.discord.channelId).find((m) => m.content === 'step 3'), 'step 3 on Discord, not held behind Slack');
    await eventually(
      () => (w.slack.fake.state.callsTo('chat.postMessage').filter((call) => call.args.text === 'step 2').length >= 2 ? true : undefined),
      'Slack retries of step 2',
    );
    // Both copies are durably queued: the cursor goes on.
    await eventually(async () => ((await w.store.cursors.get(pair.conversationId)) !== cursorAfterStep1 ? true : undefined), 'the cursor after steps 2 and 3 were queued');
    assert.equal(
      w.slack.fake.state.callsTo('chat.postMessage').some((call) => call.args.text === 'step 3'),
      false,
      'order holds on Slack: step 3 waits for step 2',
    );
    await first.stop();

    // As if the process had died right after posting step 2 to Discord, before recording it:
    // the post's record is lost and its item is still queued.
    const discordKey = postKey(step2.messageId, pair.discord);
    const [discordCopy] = (await w.store.kv<{ refs: Array<{ platform: 'discord'; channelId: string; messageId: string }> }>(POST_RESULTS_NAMESPACE).get(discordKey))?.refs ?? [];
    assert.ok(discordCopy);
    await w.store.kv(POST_RESULTS_NAMESPACE).delete(discordKey);
    await w.store.kv(POST_CLAIMS_NAMESPACE).delete(messageKey(discordCopy));
    await w.store.kv<PostIntent>(POST_INTENTS_NAMESPACE).set(discordKey, { key: discordKey, channel: pair.discord, startedAt: Date.now() - 1_000 });
    const slackHead = await w.store.outbox.head<FromFluxraItem>(fromFluxraPartition(pair.slack));
    assert.equal(slackHead?.item.message.messageId, step2.messageId, 'step 2 still queued for Slack');
    await w.store.outbox.enqueue(fromFluxraPartition(pair.discord), { message: slackHead.item.message, channel: pair.discord });

    w.slack.fake.rateLimit('chat.postMessage', 0, 0);
    const restarted = w.poller();
    await restarted.start();
    await eventually(() => (slackPosts(pair).length === 3 && discordPosts(pair.discord.channelId).length === 3 ? true : undefined), 'steps 2 and 3 everywhere');
    await restarted.pollNow(pair.conversationId);
    await restarted.idle();

    assert.deepEqual(
      slackPosts(pair).map((m) => m.text),
      ['step 1', 'step 2', 'step 3'],
    );
    assert.deepEqual(
      discordPosts(pair.discord.channelId).map((m) => m.content),
      ['step 1', 'step 2', 'step 3'],
    );
    assert.notEqual(await w.store.cursors.get(pair.conversationId), cursorAfterStep1);
    const copies = await w.store.messageMap.copiesOf(step2.messageId);
    assert.deepEqual(copies.find((ref) => ref.platform === 'discord')?.messageId, discordCopy.messageId);
    await restarted.stop();
  });

  test('a 429 from Fluxra is waited out and nothing is lost', async () => {
    const { pair, poller } = await pollingPair();
    w.fluxra.inject({ kind: 'rateLimit', retryAfter: '0' }, { route: 'listMessages', times: 3 });
    say(pair, 'after the limit');
    await arrived(pair, 'after the limit');
    const limited = w.fluxra.requestsTo('listMessages').filter((request) => request.status === 429);
    assert.equal(limited.length, 3);
    assert.ok(w.logs.some((line) => line.msg === 'Fluxra poll failed; backing off'));
    assert.equal(slackPosts(pair).filter((m) => m.text === 'after the limit').length, 1);
    assert.equal(discordPosts(pair.discord.channelId).filter((m) => m.content === 'after the limit').length, 1);
    await poller.stop();
  });

  test('a cursor Fluxra refuses is replaced from the newest page, without doubles', async () => {
    const pair = await w.linkPair();
    // No edit scans here: the injected refusal must meet the cursor read.
    const poller = w.poller({ editScanIntervalMs: 3_600_000 });
    await poller.start();
    await eventually(async () => w.store.cursors.get(pair.conversationId), 'the first cursor');
    say(pair, 'before the refusal');
    await arrived(pair, 'before the refusal');
    await poller.pollNow(pair.conversationId);
    w.fluxra.inject({ kind: 'status', status: 400, json: { error: { code: 'INVALID_REQUEST', message: 'cursor expired' } } }, { route: 'listMessages' });
    say(pair, 'after the refusal');
    await arrived(pair, 'after the refusal');
    assert.ok(w.logs.some((line) => String(line.msg).startsWith('Fluxra refused the saved cursor')));
    assert.deepEqual(
      slackPosts(pair).map((m) => m.text),
      ['before the refusal', 'after the refusal'],
    );
    assert.deepEqual(
      discordPosts(pair.discord.channelId).map((m) => m.content),
      ['before the refusal', 'after the refusal'],
    );
  });

  test("a quiet conversation is polled at the active pace as soon as a person's message went into it", async () => {
    const pair = await w.linkPair();
    // Nothing was said since the link, so the conversation is quiet, and quiet ones are polled
    // every ten minutes here: only the poke can bring the answer within the test.
    const poller = w.poller({ idlePollIntervalMs: 600_000 });
    await poller.start();
    await eventually(async () => w.store.cursors.get(pair.conversationId), 'the first cursor');
    say(pair, 'an answer while the conversation looked quiet');
    poller.noteActivity(pair.conversationId);
    await arrived(pair, 'looked quiet');
    // Unknown conversations are ignored rather than started.
    poller.noteActivity('conv_not_linked_here');
    await poller.stop();
  });

  test('paused and unlinked channels get nothing', async () => {
    const { pair, poller } = await pollingPair();
    await w.store.links.pause(pair.discord, 'test');
    // A poll that started before the pause may still hold the old targets: let it finish.
    await poller.pollNow(pair.conversationId);
    say(pair, 'only for Slack');
    await eventually(() => slackPosts(pair).find((m) => m.text === 'only for Slack'), 'the Slack copy');
    assert.equal(discordPosts(pair.discord.channelId).length, 0);

    await w.store.links.unlink(pair.slack);
    await w.store.links.unlink(pair.discord);
    say(pair, 'nobody listens');
    await poller.pollNow(pair.conversationId);
    assert.equal(
      slackPosts(pair).some((m) => m.text === 'nobody listens'),
      false,
    );
    assert.equal(discordPosts(pair.discord.channelId).length, 0);
    await poller.stop();
  });
});
