/**
 * The status buttons through the whole bridge (the composition root: inbound dispatch → session
 * engine), with a Slack and a Discord channel linked to one Fluxra conversation: a Follow up
 * sent from Slack's modal reaches the agent, and its text is mirrored into the thread's copies
 * like every other post of an agent thread. The copies carry no buttons: those belong to the
 * status in the session's own thread.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DISCORD_A, eventually, linkBothChannels, SLACK_CHANNEL, startThreadsWorld, type ThreadsWorld } from './agent-threads-harness.js';

let world: ThreadsWorld;
let conversationId: string;

before(async () => {
  world = await startThreadsWorld({ allowLists: true });
  conversationId = world.fluxra.createConversation({ creatorId: world.bridgeAgent.agentId, name: 'buttons' }).conversationId;
  await linkBothChannels(world, conversationId);
});

after(async () => {
  await world?.close();
});

test('a Follow up from the Slack status reaches the agent and is mirrored into Fluxra and the Discord copy', async () => {
  const { slack } = world;
  await slack.deliverCommand({ command: '/agent', text: 'claude why is the build red?', channelId: SLACK_CHANNEL, userId: 'UADA' });
  const root = await eventually(() => slack.state.history(SLACK_CHANNEL).find((m) => m.text.startsWith('Ada asked claude')), 'the question');
  const status = await eventually(
    () => slack.state.history(SLACK_CHANNEL).find((m) => m.threadTs === root.ts && (m.blocks ?? []).some((b) => b.type === 'actions')),
    'the status with its buttons',
  );
  await eventually(() => world.fluxraContents(conversationId).some((c) => c.includes('claude: done.')), 'the first turn mirrored');

  await slack.clickButton({ channel: SLACK_CHANNEL, messageTs: status.ts, actionId: 'follow-up', userId: 'UADA' });
  const view = await slack.state.waitFor(() => slack.state.views[0], 'the modal', 10_000);
  await slack.submitView(view.id, 'and how do I fix it?');
  const session = await eventually(() => [...world.blocks.state.sessions.values()][0], 'the Blocks session');
  await eventually(() => session.turns.some((turn) => turn.prompt === 'and how do I fix it?'), 'the follow-up on Blocks');
  await eventually(() => world.fluxraContents(conversationId).find((c) => c.includes('Ada followed up:') && c.includes('and how do I fix it?')), 'the follow-up text in Fluxra');
  await eventually(
    () => world.discord.state.history(DISCORD_A).length > 0 && [...world.discord.state.messages.values()].flat().find((m) => m.content.includes('and how do I fix it?')),
    'the follow-up text in the Discord copy',
  );
  // The copies are the mirror's: no buttons there (they belong to the status in the session's own thread).
  assert.ok([...world.discord.state.messages.values()].flat().every((m) => (m.components ?? []).length === 0));
});
