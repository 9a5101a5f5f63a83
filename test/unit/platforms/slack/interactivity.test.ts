/**
 * Slack's interaction payloads, as its docs show them (block_actions: docs.slack.dev/reference/
 * interaction-payloads/block_actions-payload; view_submission: …/view-interactions-payload),
 * read as neutral button presses and form submissions; and the blocks and modal we send.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../../src/core/logger.js';
import { createSlackChannelPrivacy } from '../../../../src/platforms/slack/channel-privacy.js';
import type { InboundContext } from '../../../../src/platforms/slack/inbound.js';
import { buttonBlocks, formView, toButtonPress, toFormSubmission } from '../../../../src/platforms/slack/interactivity.js';
import { createSlackUserDirectory } from '../../../../src/platforms/slack/users.js';

function context(): InboundContext {
  const logger = silentLogger();
  return {
    identity: { botUserId: 'UBOT', botId: 'BBOT' },
    users: createSlackUserDirectory({
      fetchUser: async (id) => ({ id, name: 'mock', profile: { display_name: 'Mock Person', real_name: 'Mock' } }),
      logger,
      displayNameTtlMs: 60_000,
      privilegeTtlMs: 60_000,
      maxEntries: 10,
      now: () => 0,
    }),
    channels: createSlackChannelPrivacy({ fetchChannel: async () => ({ is_private: false }), logger, ttlMs: 60_000, maxEntries: 10, now: () => 0 }),
    retryNum: undefined,
    now: () => 1_700_000_000_000,
  };
}

/** A button click in a thread, as the docs' example payload is shaped. */
const BLOCK_ACTIONS = {
  type: 'block_actions',
  user: { id: 'U05FHR8WY94', username: 'mock', name: 'mock', team_id: 'T05FCDEOGAK' },
  api_app_id: 'A05JFQPAQS5',
  token: 'L7IX6dGhLCZnYlRkjHJE6FE4',
  container: { type: 'message', message_ts: '1702463410.208979', channel_id: 'C069FDS4JWV', is_ephemeral: false, thread_ts: '1702463400.100000' },
  trigger_id: '5522672900359.6335258913941.9a930ce2c1e5a1e2d6a5a2c8d3f0e1b7',
  team: { id: 'T05FCDEOGAK', domain: 'mockworkspace' },
  enterprise: null,
  is_enterprise_install: false,
  channel: { id: 'C069FDS4JWV', name: 'mock-channel' },
  message: {
    user: 'UBOT',
    type: 'message',
    ts: '1702463410.208979',
    bot_id: 'BBOT',
    app_id: 'A05JFQPAQS5',
    text: 'claude is working…',
    team: 'T05FCDEOGAK',
    thread_ts: '1702463400.100000',
    blocks: [],
  },
  state: { values: {} },
  response_url: 'https://hooks.slack.com/actions/T05FCDEOGAK/6354457392146/Wq5tF9GvGp9jvCKCzR7VZTRE',
  actions: [
    {
      action_id: 'follow-up',
      block_id: 'bridge-buttons',
      text: { type: 'plain_text', text: 'Follow up', emoji: true },
      value: 'c:slack:5522.633.9a93',
      type: 'button',
      action_ts: '1702463416.296914',
    },
  ],
};

test('a block_actions click reads as a press: action, value, clicker, their workspace, the message in its thread', async () => {
  const press = await toButtonPress(BLOCK_ACTIONS, context());
  assert.deepEqual(press, {
    kind: 'button',
    platform: 'slack',
    eventId: 'slack:action:5522672900359.6335258913941.9a930ce2c1e5a1e2d6a5a2c8d3f0e1b7',
    receivedAt: 1_700_000_000_000,
    placeId: 'T05FCDEOGAK',
    action: 'follow-up',
    value: 'c:slack:5522.633.9a93',
    user: { id: 'U05FHR8WY94', displayName: 'Mock Person', isPrivileged: false },
    channel: { platform: 'slack', channelId: 'C069FDS4JWV' },
    message: { platform: 'slack', channelId: 'C069FDS4JWV', messageId: '1702463410.208979', threadRootId: '1702463400.100000' },
  });
  assert.equal(await toButtonPress({ ...BLOCK_ACTIONS, actions: [] }, context()), undefined);
});

test('a view_submission reads as a form: its callback, our metadata and the text box', async () => {
  const view = formView({ form: 'follow-up', value: 'c:slack:5522.633.9a93', title: 'Follow up', label: 'Your follow-up to claude', submitLabel: 'Send' }, 'C069FDS4JWV');
  const submission = {
    type: 'view_submission',
    team: { id: 'T05FCDEOGAK', domain: 'mockworkspace' },
    user: { id: 'U05FHR8WY94', username: 'mock', name: 'mock', team_id: 'T05FCDEOGAK' },
    api_app_id: 'A05JFQPAQS5',
    token: 'L7IX6dGhLCZnYlRkjHJE6FE4',
    trigger_id: '5522672900359.6335258913941.ffff',
    view: {
      ...view,
      id: 'V0PKB1ZFV',
      team_id: 'T05FCDEOGAK',
      state: { values: { 'form-text': { text: { type: 'plain_text_input', value: 'also the docs' } } } },
      hash: '1702463420.xyz',
      app_id: 'A05JFQPAQS5',
      bot_id: 'BBOT',
    },
    response_urls: [],
  };
  const form = await toFormSubmission(submission, context());
  assert.equal(form?.kind, 'form');
  assert.equal(form?.eventId, 'slack:view:V0PKB1ZFV');
  assert.equal(form?.form, 'follow-up');
  assert.equal(form?.value, 'c:slack:5522.633.9a93');
  assert.equal(form?.text, 'also the docs');
  assert.deepEqual(form?.channel, { platform: 'slack', channelId: 'C069FDS4JWV' });
  assert.equal(await toFormSubmission({ ...submission, view: { ...submission.view, private_metadata: 'not json' } }, context()), undefined);
});

test('buttons render as a section and an actions block; a text too long for a section goes without them', () => {
  const blocks = buttonBlocks('claude: done.', [
    { kind: 'action', action: 'follow-up', label: 'Follow up', value: 'c:slack:1' },
    { kind: 'link', label: 'Open in Blocks', url: 'https://blocks.team/s/1' },
  ]);
  assert.deepEqual(blocks?.[1], {
    type: 'actions',
    block_id: 'bridge-buttons',
    elements: [
      { type: 'button', action_id: 'follow-up', text: { type: 'plain_text', text: 'Follow up' }, value: 'c:slack:1' },
      { type: 'button', action_id: 'open-link', text: { type: 'plain_text', text: 'Open in Blocks' }, url: 'https://blocks.team/s/1' },
    ],
  });
  assert.equal(buttonBlocks('x'.repeat(3001), [{ kind: 'link', label: 'a', url: 'https://b' }]), undefined);
  assert.equal(buttonBlocks('text', undefined), undefined);
});
