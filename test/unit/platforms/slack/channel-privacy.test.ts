import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../../src/core/logger.js';
import { createSlackChannelPrivacy, slackChannelPrivacy } from '../../../../src/platforms/slack/channel-privacy.js';

test("Slack privacy from the event's channel_type, a D… id, or conversations.info", () => {
  assert.equal(slackChannelPrivacy({ channelId: 'C1', channelType: 'channel' }), false);
  for (const type of ['group', 'im', 'mpim']) assert.equal(slackChannelPrivacy({ channelId: 'C1', channelType: type }), true, type);
  assert.equal(slackChannelPrivacy({ channelId: 'D0123' }), true);
  assert.equal(slackChannelPrivacy({ channelId: 'C1', info: { is_private: true } }), true);
  assert.equal(slackChannelPrivacy({ channelId: 'G1', info: { is_mpim: true } }), true);
  assert.equal(slackChannelPrivacy({ channelId: 'C1', info: { is_private: false, is_im: false } }), false);
  assert.equal(slackChannelPrivacy({ channelId: 'C1' }), undefined);
});

test('a channel Slack will not describe counts as private, and answers are cached', async () => {
  const asked: string[] = [];
  const directory = createSlackChannelPrivacy({
    fetchChannel: async (id) => {
      asked.push(id);
      if (id === 'CGONE') throw new Error('channel_not_found');
      return { is_private: id === 'CSECRET' };
    },
    logger: silentLogger(),
    ttlMs: 60_000,
    maxEntries: 10,
    now: () => 0,
  });
  assert.equal(await directory.isPrivate('CGONE'), true);
  assert.equal(await directory.isPrivate('CSECRET'), true);
  assert.equal(await directory.isPrivate('CPUBLIC'), false);
  assert.equal(await directory.isPrivate('CPUBLIC'), false);
  assert.equal(await directory.isPrivate('CPUBLIC', 'group'), true, 'the event says so: no lookup');
  assert.deepEqual(asked, ['CGONE', 'CSECRET', 'CPUBLIC']);
});
