/**
 * Agent threads across a restart (issue 18, item 3): the posts of an agent thread are handed
 * to the mirror's outbox before the turn is recorded as ended, so while Fluxra refuses them
 * (503s) the answer is already in Slack and the turn is over, yet after a restart the
 * question, the answer and the done line reach Fluxra and Discord, each exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DISCORD_A, eventually, linkBothChannels, SLACK_CHANNEL, startThreadsWorld, type ThreadsWorld } from './agent-threads-harness.js';

let world: ThreadsWorld;
let conversationId: string;

before(async () => {
  world = await startThreadsWorld({ allowLists: true });
  conversationId = world.fluxra.createConversation({ creatorId: world.bridgeAgent.agentId, name: 'restart' }).conversationId;
  await linkBothChannels(world, conversationId);
});

after(async () => {
  await world?.close();
});

const fluxraContents = () => world.fluxraContents(conversationId);
const agentCopiesIn = (channelId: string) => world.discord.state.history(channelId).filter((m) => m.webhook_id !== undefined && m.author.username === 'claude (Blocks)');

test('an agent thread whose mirroring waited on a failing Fluxra is mirrored once after a restart', async () => {
  world.fluxra.inject({ kind: 'status', status: 503, json: { error: 'unavailable' } }, { route: 'sendMessage', times: 10_000 });
  await world.slack.deliverCommand({ command: '/agent', text: 'claude tidy the changelog', channelId: SLACK_CHANNEL, userId: 'UADA' });
  // The turn ends in Slack (answer posted, status edited to done) while nothing reached Fluxra.
  const root = await eventually(() => world.slack.state.history(SLACK_CHANNEL).find((m) => m.text.startsWith('Ada asked claude')), 'the question in Slack');
  await eventually(
    () =>
      world.slack.state.history(SLACK_CHANNEL).find((m) => m.ts === root.ts) &&
      world.slack.state.history(SLACK_CHANNEL).find((m) => m.threadTs === root.ts && m.text.startsWith('claude: done.')),
    'the done status in Slack',
  );
  await eventually(() => world.logs.some((line) => line['msg'] === 'mirror delivery failed; will retry'), 'the mirror retrying');
  assert.deepEqual(fluxraContents(), []);

  await world.restart();
  world.fluxra.clearFaults();
  await eventually(() => fluxraContents().some((c) => c.startsWith('[claude · Blocks] claude: done.')), 'the done line in Fluxra after the restart');
  await world.bridge.mirror?.idle();
  const contents = fluxraContents();
  assert.equal(contents.filter((c) => c.startsWith('[claude · Blocks] Ada asked claude')).length, 1, JSON.stringify(contents));
  assert.equal(contents.filter((c) => c === '[claude · Blocks] Answer to: tidy the changelog').length, 1, JSON.stringify(contents));
  assert.equal(contents.filter((c) => c.startsWith('[claude · Blocks] claude: done.')).length, 1, JSON.stringify(contents));
  const rootCopy = await eventually(() => agentCopiesIn(DISCORD_A).find((m) => m.content.startsWith('Ada asked claude')), 'the question in Discord');
  await eventually(() => agentCopiesIn(rootCopy.id).length === 2, 'the answer and the done line in its Discord thread');
  assert.equal(agentCopiesIn(DISCORD_A).filter((m) => m.content.startsWith('Ada asked claude')).length, 1);
});
