/**
 * Issue 16, cell `slack.post:timeout-after-arrival`: Slack posts the message but its answer
 * never comes (the connection is cut). The Web API client must not repeat `chat.postMessage`
 * by itself (it cannot know whether the first one arrived): the failure goes up to `postOnce`,
 * whose next attempt finds the post in history. With the client's own retries on (as in
 * production), a blind repeat used to post the message twice and hand back the second copy,
 * so later replies went into the duplicate's thread.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/core/logger.js';
import { postOnceDetailed } from '../../src/delivery/post-once.js';
import { createFaultPlan } from '../../src/simulators/fault-plan.js';
import { createStore, type Store } from '../../src/store/index.js';
import { type SlackPair, startSlackPair } from '../support/slack-harness.js';

const channel = { platform: 'slack' as const, channelId: 'C0GENERAL' };
const plan = createFaultPlan({ holdMs: 200 });

describe('postOnce on Slack when the answer to chat.postMessage is lost', () => {
  let dir = '';
  let store: Store;
  let slack: SlackPair;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slack-post-timeout-'));
    store = await createStore({ path: join(dir, 'store.db') }, { logger: silentLogger() });
    // The client's own retries as production has them (the harness turns them off by default).
    slack = await startSlackPair('socket', { fake: { faultPlan: plan }, adapter: { clientRetries: 3 } });
  });
  after(async () => {
    await slack.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const postsOf = (text: string, threadRootId?: string) =>
    slack.fake.state
      .history(channel.channelId)
      .filter((message) => !message.deleted && message.text === text && message.threadTs === threadRootId)
      .map((message) => message.ts);

  const postTwice = async (key: string, text: string, threadRootId?: string) => {
    plan.arm({ call: 'slack.post', fault: 'timeout-after-arrival', occurrences: [1] });
    const options = threadRootId ? { threadRootId } : {};
    const input = { store, adapter: slack.adapter, channel, message: { text }, options, key };
    // The first attempt must fail (its answer never comes), not be repeated blindly below us.
    const first = await postOnceDetailed(input).then(
      () => 'answered',
      () => 'failed',
    );
    plan.clear();
    const second = await postOnceDetailed(input);
    return { first, second };
  };

  test('top-level: posted once, and the retry finds that post', async () => {
    const text = `timeout top ${process.pid}`;
    const { first, second: outcome } = await postTwice('k-top', text);
    const posts = postsOf(text);
    assert.equal(posts.length, 1, 'posted exactly once');
    assert.equal(first, 'failed');
    assert.equal(outcome.how, 'found');
    assert.deepEqual(
      outcome.refs.map((ref) => ref.messageId),
      posts,
    );
    assert.equal(slack.fake.state.callsTo('chat.postMessage').filter((call) => call.args.text === text).length, 1);
  });

  test('in a thread: posted once, and the retry finds that reply', async () => {
    const root = String(slack.fake.userMessage({ channel: channel.channelId, user: 'U0ALICE', text: `root ${process.pid}` }).ts);
    const text = `timeout reply ${process.pid}`;
    const { first, second: outcome } = await postTwice('k-thread', text, root);
    const posts = postsOf(text, root);
    assert.equal(posts.length, 1, 'replied exactly once');
    assert.equal(first, 'failed');
    assert.equal(outcome.how, 'found');
    assert.deepEqual(
      outcome.refs.map((ref) => [ref.messageId, ref.threadRootId]),
      posts.map((ts) => [ts, root]),
    );
  });
});
