/**
 * Slack across the trust boundary (issue 14), with signed HTTP requests to the whole bridge:
 * `slack.allowedTeamIds` drops another workspace's events and commands before anything
 * reaches Fluxra; a replayed signed `/block` or `/bridge` (same `trigger_id`) does nothing the
 * second time; a Slack Connect guest who is an admin of their own workspace is not
 * privileged here.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '../support/eventually.js';
import { SLACK_CHANNEL, startTenancyWorld, type TenancyWorld } from './tenancy-harness.js';

const HOME_TEAM = 'T0FAKE';
const ADMIN = { id: 'U0ADMIN', name: 'ada', isAdmin: true };
const GUEST = { id: 'U0GUEST', name: 'gus', isAdmin: true, teamId: 'T0ELSEWHERE' };

let world: TenancyWorld;

before(async () => {
  world = await startTenancyWorld({ slack: { users: [ADMIN, GUEST], allowedTeamIds: [HOME_TEAM] } });
});

after(async () => {
  await world.close();
});

function slackOf(w: TenancyWorld) {
  assert.ok(w.slack);
  return w.slack;
}

/** Runs a slash command (HTTP, signed) and returns the answer posted to its response_url. */
async function slash(command: string, text: string, userId: string, delivery: { teamId?: string; triggerId?: string } = {}): Promise<string | undefined> {
  const slack = slackOf(world);
  const seen = slack.state.responses.length;
  const result = await slack.deliverCommand({ command, text, channelId: SLACK_CHANNEL, userId }, { via: 'http', ...delivery });
  assert.equal(result.status, 200);
  const response = await slack.state.waitFor(() => slack.state.responses[seen], `the answer to /${command} ${text}`).catch(() => undefined);
  return response === undefined ? undefined : String(response.body['text']);
}

test('events and commands signed for another workspace reach nothing upstream', async () => {
  const slack = slackOf(world);
  const conversationId = world.fluxra.createConversation({ creatorId: world.bridgeAgent.agentId, name: 'slack-home' }).conversationId;
  assert.match((await slash('bridge', `link ${conversationId}`, ADMIN.id)) ?? '', /^Linked\./);
  const before = world.fluxra.state.requests.length;
  const createsBefore = world.fluxra.state.requests.filter((r) => r.method === 'POST' && r.path === '/api/conversations').length;

  // The same channel, the same app, but the envelope says another workspace.
  const foreign = await slack.deliverEvent(slack.userMessage({ channel: SLACK_CHANNEL, user: ADMIN.id, text: 'signed for another team' }), { via: 'http', teamId: 'T0OTHER' });
  assert.equal(foreign.status, 200, 'acknowledged, then ignored');
  const seen = slack.state.responses.length;
  await slack.deliverCommand({ command: 'bridge', text: 'link new', channelId: SLACK_CHANNEL, userId: ADMIN.id }, { via: 'http', teamId: 'T0OTHER' });
  // Then the home workspace: once its message is in Fluxra, the foreign ones were handled before it.
  await slack.deliverEvent(slack.userMessage({ channel: SLACK_CHANNEL, user: ADMIN.id, text: 'signed for the home team' }), { via: 'http' });
  await eventually(() => [...world.fluxra.state.messages.values()].some((m) => m.content.includes('signed for the home team')), 'the home message in Fluxra');
  assert.ok(!world.fluxra.state.requests.slice(before).some((r) => JSON.stringify(r.body ?? '').includes('another team')), 'the foreign message never reached Fluxra');
  assert.equal(world.fluxra.state.requests.filter((r) => r.method === 'POST' && r.path === '/api/conversations').length, createsBefore, 'the foreign command created nothing');
  assert.equal(slack.state.responses.length, seen, 'the foreign command got no answer');
});

test('a replayed signed /block or /bridge (same trigger_id) does nothing the second time', async () => {
  const target = world.fluxra.createAgent();
  const creates = () => world.fluxra.state.requests.filter((r) => r.method === 'POST' && r.path === '/api/blocks').length;
  const before = creates();
  assert.match((await slash('block', `agent ${target.agentId}`, ADMIN.id, { triggerId: 'trigger-replayed-block' })) ?? '', /^Blocked agent/);
  assert.match((await slash('block', `agent ${target.agentId}`, ADMIN.id, { triggerId: 'trigger-replayed-block' })) ?? '', /already handled/);
  assert.equal(creates(), before + 1, 'one block request for two deliveries');

  const conversationCreates = () => world.fluxra.state.requests.filter((r) => r.method === 'POST' && r.path === '/api/conversations').length;
  assert.match((await slash('bridge', 'unlink', ADMIN.id)) ?? '', /^Unlinked/);
  const createdBefore = conversationCreates();
  assert.match((await slash('bridge', 'link new replayed', ADMIN.id, { triggerId: 'trigger-replayed-link' })) ?? '', /^Created the Fluxra conversation/);
  assert.match((await slash('bridge', 'link new replayed', ADMIN.id, { triggerId: 'trigger-replayed-link' })) ?? '', /already handled/);
  assert.equal(conversationCreates(), createdBefore + 1);
});

test('a Slack Connect guest, admin of their own workspace, is not privileged here', async () => {
  assert.match((await slash('bridge', 'unlink', GUEST.id)) ?? '', /^Only workspace admins and owners or people on the bridge's allow-list/);
  assert.match((await slash('block', 'list', GUEST.id)) ?? '', /^Only workspace admins and owners/);
});
