/**
 * Agent threads across the mirror, end to end (issue 18, item 3), in one organisation (the
 * Slack workspace and Discord server A on the allow-lists): a Slack channel and a Discord
 * channel linked to one conversation. An `/agent` thread in Slack is mirrored whole (the
 * question, the answer, the final status line) into Discord and Fluxra; a person's reply in
 * the Discord copy (a thread message, or a type-19 reply) continues the same session; a
 * Fluxra agent's message in the thread does not; an over-quota person gets no session use;
 * and a channel bound to an agent has its answers mirrored too.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { APIMessage } from 'discord.js';
import type { FakeSession } from '../../src/simulators/blocks.js';
import { dispatchCreate, docMessage } from '../../src/simulators/discord/doc-payloads.js';
import type { FakeAgentCredentials } from '../../src/simulators/fluxra.js';
import {
  CAROL,
  DAVE,
  DISCORD_A,
  DISCORD_A2,
  eventually,
  linkBothChannels,
  MOD_A,
  SLACK_BOUND,
  SLACK_CHANNEL,
  startThreadsWorld,
  type ThreadsWorld,
} from './agent-threads-harness.js';

let world: ThreadsWorld;
let conversationId: string;
let boundConversationId: string;
let otherAgent: FakeAgentCredentials;

before(async () => {
  // One turn an hour per person: a second follow-up from the same person is over quota.
  world = await startThreadsWorld({ allowLists: true, agentQuota: { perPersonPerHour: 1 } });
  otherAgent = world.fluxra.createAgent({ agentName: 'reviewer-bot' });
  conversationId = world.fluxra.createConversation({ creatorId: world.bridgeAgent.agentId, name: 'threads', memberIds: [otherAgent.agentId] }).conversationId;
  boundConversationId = world.fluxra.createConversation({ creatorId: world.bridgeAgent.agentId, name: 'bound' }).conversationId;
  await linkBothChannels(world, conversationId);
});

after(async () => {
  await world?.close();
});

/** Fluxra messages of a conversation, in order. */
const fluxraMessages = (id: string) => [...world.fluxra.state.messages.values()].filter((m) => m.conversationId === id && !m.deleted);
/** Discord messages the bridge posted under the agent's name. */
const agentCopiesIn = (channelId: string) => world.discord.state.history(channelId).filter((m) => m.webhook_id !== undefined && m.author.username === 'claude (Blocks)');
const blocksSessions = (): FakeSession[] => [...world.blocks.state.sessions.values()];
const prompts = (session: FakeSession) => session.turns.map((turn) => turn.prompt);

let session: FakeSession;
let rootCopy: APIMessage;
let fluxraRootId: string;

test('an /agent thread in Slack is mirrored whole, once, into Discord and Fluxra as the agent (no "working…")', async () => {
  await world.slack.deliverCommand({ command: '/agent', text: 'claude why is the build red?', channelId: SLACK_CHANNEL, userId: 'UADA' });
  session = await eventually(() => blocksSessions()[0], 'the Blocks session');
  const slackRoot = await eventually(() => world.slack.state.history(SLACK_CHANNEL).find((m) => m.text.startsWith('Ada asked claude')), 'the question in Slack');

  // Fluxra: the question, then the answer and the done line in its thread, attributed to the agent.
  const answer = await eventually(() => fluxraMessages(conversationId).find((m) => m.content.includes('claude: done.')), 'the done line in Fluxra');
  const all = fluxraMessages(conversationId);
  const root = all.find((m) => m.content.startsWith('[claude · Blocks] Ada asked claude:'));
  assert.ok(root, `the question in Fluxra, attributed to the agent: ${JSON.stringify(all.map((m) => m.content))}`);
  fluxraRootId = root.messageId;
  const reply = all.find((m) => m.content === '[claude · Blocks] Answer to: why is the build red?');
  assert.ok(reply, 'the answer in Fluxra');
  assert.equal(reply.inReplyTo, root.messageId, 'the answer is in the question’s thread');
  assert.equal(answer.inReplyTo, root.messageId, 'so is the final status line');
  assert.ok(answer.content.startsWith('[claude · Blocks] claude: done.'));
  assert.ok(!all.some((m) => m.content.includes('is working')), 'the "working…" status is never mirrored, only its final line');
  for (const m of [root, reply, answer]) assert.equal(m.senderId, world.bridgeAgent.agentId, 'sent as the bridge agent');

  // Discord: the question top-level under the agent's name, the answer and the done line in its thread.
  rootCopy = await eventually(() => agentCopiesIn(DISCORD_A).find((m) => m.content.startsWith('Ada asked claude')), 'the question in Discord');
  const thread = await eventually(() => {
    const inThread = agentCopiesIn(rootCopy.id);
    return inThread.length >= 2 && inThread;
  }, 'the answer and the done line in the Discord thread');
  assert.deepEqual(
    thread.map((m) => m.content.split(' http')[0]),
    ['Answer to: why is the build red?', 'claude: done.'],
  );

  // Slack's echo of the bridge's own answer (as Slack sends it, with our bot_id) is not mirrored again.
  const slackAnswer = world.slack.state.history(SLACK_CHANNEL).find((m) => m.threadTs === slackRoot.ts && m.text.includes('Answer to'));
  assert.ok(slackAnswer);
  await world.slack.deliverEvent({
    type: 'message',
    channel: SLACK_CHANNEL,
    channel_type: 'channel',
    text: slackAnswer.text,
    ts: slackAnswer.ts,
    thread_ts: slackRoot.ts,
    bot_id: world.slack.botId,
    user: world.slack.botUserId,
  });
  await world.bridge.mirror?.idle();
  assert.equal(fluxraMessages(conversationId).filter((m) => m.content.includes('Answer to: why is the build red?')).length, 1, 'the answer is in Fluxra once');
  assert.equal(agentCopiesIn(rootCopy.id).filter((m) => m.content.includes('Answer to: why is the build red?')).length, 1, 'and in Discord once');
});

test("a person's message in the Discord copy's thread continues the same session, and its answer comes back to every copy", async () => {
  world.discord.sendMessage({ channelId: rootCopy.id, content: 'and the docs job?', author: CAROL });
  await eventually(() => prompts(session).includes('and the docs job?'), 'the follow-up on the same Blocks session');
  assert.equal(blocksSessions().length, 1, 'no new session');

  // The follow-up itself is mirrored into the Slack thread and Fluxra's thread, with its question.
  const slackRoot = world.slack.state.history(SLACK_CHANNEL).find((m) => m.text.startsWith('Ada asked claude'));
  await eventually(
    () => world.slack.state.history(SLACK_CHANNEL).find((m) => m.threadTs === slackRoot?.ts && m.text === 'and the docs job?' && m.username === 'carol (Discord)'),
    'the Discord follow-up in the Slack thread',
  );
  const mirrored = await eventually(() => fluxraMessages(conversationId).find((m) => m.content === '[carol · Discord] and the docs job?'), 'the follow-up in Fluxra');
  assert.equal(mirrored.inReplyTo, fluxraRootId, 'in the thread, not top-level');

  // Its answer: in Slack's thread, in the Discord thread, in Fluxra's thread.
  await eventually(
    () => world.slack.state.history(SLACK_CHANNEL).find((m) => m.threadTs === slackRoot?.ts && m.text.includes('Answer to: and the docs job?')),
    'the answer in Slack',
  );
  await eventually(() => agentCopiesIn(rootCopy.id).find((m) => m.content === 'Answer to: and the docs job?'), 'the answer in the Discord thread');
  const answer = await eventually(() => fluxraMessages(conversationId).find((m) => m.content === '[claude · Blocks] Answer to: and the docs job?'), 'the answer in Fluxra');
  assert.equal(answer.inReplyTo, fluxraRootId);
});

test('a Discord reply (type 19) to the question in the channel continues the session too', async () => {
  dispatchCreate(
    world.discord.state,
    docMessage(world.discord.state, {
      channelId: DISCORD_A,
      author: { user: world.discord.state.user(DAVE.id, DAVE.username) },
      content: 'what about the flaky test?',
      replyTo: rootCopy,
    }),
  );
  await eventually(() => prompts(session).includes('what about the flaky test?'), 'the reply as a follow-up on the same session');
  assert.equal(blocksSessions().length, 1);
  await eventually(
    () => fluxraMessages(conversationId).find((m) => m.content === '[claude · Blocks] Answer to: what about the flaky test?' && m.inReplyTo === fluxraRootId),
    'its answer in the thread in Fluxra',
  );
});

test("a Fluxra agent's message in the thread is mirrored into the copies but never becomes a follow-up", async () => {
  world.fluxra.state.send(otherAgent.agentId, { conversationId, content: 'I reviewed it: looks fine', inReplyTo: fluxraRootId });
  // Its copies: in the Discord thread (through the agent's webhook, echoed back on the gateway) and the Slack thread.
  await eventually(
    () => world.discord.state.history(rootCopy.id).find((m) => m.content === 'I reviewed it: looks fine' && m.webhook_id !== undefined),
    'the agent message in the Discord thread',
  );
  const slackRoot = world.slack.state.history(SLACK_CHANNEL).find((m) => m.text.startsWith('Ada asked claude'));
  await eventually(
    () => world.slack.state.history(SLACK_CHANNEL).find((m) => m.threadTs === slackRoot?.ts && m.text === 'I reviewed it: looks fine'),
    'the agent message in the Slack thread',
  );
  // A person's message after it in the same thread: once it reaches Blocks, the echo before it was seen.
  world.discord.sendMessage({ channelId: rootCopy.id, content: 'thanks, ship it', author: MOD_A });
  await eventually(() => prompts(session).includes('thanks, ship it'), "the person's follow-up after it");
  assert.ok(!prompts(session).some((prompt) => prompt.includes('looks fine')), `the agent's message never went to Blocks: ${JSON.stringify(prompts(session))}`);
});

test('a person over their quota replying in the copy gets no session use, and is told in their thread', async () => {
  const before = prompts(session).length;
  // Carol spent her one turn of the hour on her first follow-up.
  world.discord.sendMessage({ channelId: rootCopy.id, content: 'one more thing', author: CAROL });
  await eventually(
    () => world.discord.state.history(rootCopy.id).find((m) => m.webhook_id === undefined && m.author.bot && /at most 1|next one can start/i.test(m.content)),
    'the quota answer in the Discord thread',
  );
  assert.equal(prompts(session).length, before, 'nothing sent to Blocks');
  // The message itself is still mirrored, as a person's.
  await eventually(() => fluxraMessages(conversationId).find((m) => m.content === '[carol · Discord] one more thing'), 'the message in Fluxra');
});

test("a channel bound to an agent: people's messages and the agent's answers are both mirrored", async () => {
  await world.slack.deliverCommand({ command: '/bridge', text: `link ${boundConversationId}`, channelId: SLACK_BOUND, userId: 'UADA' });
  assert.match(
    await world.discordCommand({ channelId: DISCORD_A2, user: MOD_A, commandName: 'bridge', subcommand: 'link', options: [{ name: 'conversation', value: boundConversationId }] }),
    /^Linked\./,
  );
  await world.slack.deliverCommand({ command: '/bridge', text: 'link agent claude', channelId: SLACK_BOUND, userId: 'UADA' });
  await eventually(() => world.bridge.store.links.get({ platform: 'slack', channelId: SLACK_BOUND }), 'the bound channel linked');
  const asked = world.slack.userMessage({ channel: SLACK_BOUND, user: 'UBOB', text: 'summarise the week' });
  await world.slack.deliverEvent(asked);
  const question = await eventually(() => fluxraMessages(boundConversationId).find((m) => m.content === '[Bob · Slack] summarise the week'), "the person's message in Fluxra");
  const answer = await eventually(
    () => fluxraMessages(boundConversationId).find((m) => m.content.startsWith('[claude · Blocks] Answer to:') && m.content.includes('summarise the week')),
    'the answer in Fluxra',
  );
  assert.equal(answer.inReplyTo, question.messageId, 'in the thread of the message it answers');
  const questionCopy = await eventually(() => world.discord.state.history(DISCORD_A2).find((m) => m.content === 'summarise the week'), 'the question in Discord');
  await eventually(() => agentCopiesIn(questionCopy.id).find((m) => m.content.includes('summarise the week')), 'the answer in its Discord thread');
});
