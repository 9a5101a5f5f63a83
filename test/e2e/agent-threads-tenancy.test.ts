/**
 * Agent threads across a trust boundary (issue 18, item 3, with issue 14's tenancy): no
 * allow-lists, so Discord servers A and B are tenants of their own; A links a conversation
 * and shares it with B. An agent thread started in A is mirrored into B's channel (B sees
 * it, as it sees everything A says there), but a person of B replying in B's copy gets no
 * session use: the session is A's. A person of A replying in A's own thread still continues
 * it, and the bridge's own posts echoed by the gateway are mirrored once, as the agent's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FakeSession } from '../../src/simulators/blocks.js';
import { CAROL, DAVE, DISCORD_A, DISCORD_B, EVE, eventually, MOD_A, MOD_B, startThreadsWorld, type ThreadsWorld } from './agent-threads-harness.js';

let world: ThreadsWorld;
let conversationId: string;

before(async () => {
  world = await startThreadsWorld();
  conversationId = world.fluxra.createConversation({ creatorId: world.bridgeAgent.agentId, name: 'team-a' }).conversationId;
  assert.match(
    await world.discordCommand({ channelId: DISCORD_A, user: MOD_A, commandName: 'bridge', subcommand: 'link', options: [{ name: 'conversation', value: conversationId }] }),
    /^Linked\./,
  );
  const shared = await world.discordCommand({ channelId: DISCORD_A, user: MOD_A, commandName: 'bridge', subcommand: 'share' });
  const code = /shr_[0-9a-f]{20}/.exec(shared)?.[0];
  assert.ok(code, shared);
  assert.match(
    await world.discordCommand({ channelId: DISCORD_B, user: MOD_B, commandName: 'bridge', subcommand: 'link', options: [{ name: 'conversation', value: code }] }),
    /^Linked\./,
  );
});

after(async () => {
  await world?.close();
});

const fluxraMessages = () => [...world.fluxra.state.messages.values()].filter((m) => m.conversationId === conversationId && !m.deleted);
const agentCopiesIn = (channelId: string) => world.discord.state.history(channelId).filter((m) => m.webhook_id !== undefined && m.author.username === 'claude (Blocks)');
const prompts = (session: FakeSession) => session.turns.map((turn) => turn.prompt);

test("a stranger replying in their server's copy of the thread gets no session use; the session's own people continue it", async () => {
  world.discord.sendInteraction({
    commandName: 'agent',
    subcommand: 'ask',
    options: [{ name: 'prompt', value: 'list the open issues' }],
    channelId: DISCORD_A,
    user: CAROL,
  });
  const session = await eventually(() => [...world.blocks.state.sessions.values()][0], 'the Blocks session');

  // A's thread is mirrored into B: the question, then the answer in the copy's thread.
  const copy = await eventually(() => agentCopiesIn(DISCORD_B).find((m) => m.content.startsWith('carol asked claude')), "the question in B's channel");
  await eventually(() => agentCopiesIn(copy.id).find((m) => m.content === 'Answer to: list the open issues'), "the answer in B's copy of the thread");
  // The gateway echoes every post of the bridge in A: the answer is in Fluxra once, as the agent's.
  await eventually(() => fluxraMessages().find((m) => m.content.startsWith('[claude · Blocks] claude: done.')), 'the done line in Fluxra');
  assert.equal(fluxraMessages().filter((m) => m.content === '[claude · Blocks] Answer to: list the open issues').length, 1);
  const answers = fluxraMessages().filter((m) => m.content.includes('Answer to'));
  assert.ok(
    answers.every((m) => m.content.startsWith('[claude · Blocks] ')),
    `never as a person's message: ${JSON.stringify(answers.map((m) => m.content))}`,
  );

  // Eve, of server B, replies in B's copy: mirrored as her message, told why, nothing sent to Blocks.
  world.discord.sendMessage({ channelId: copy.id, content: 'also delete the prod database', author: EVE });
  await eventually(
    () => world.discord.state.history(copy.id).find((m) => m.webhook_id === undefined && m.author.bot && m.content.includes('started in another workspace or server')),
    'the answer to the stranger',
  );
  await eventually(() => fluxraMessages().find((m) => m.content === '[eve · Discord] also delete the prod database'), 'her message mirrored as hers');

  // Dave, of server A, replies in A's thread after her: his reply reaches the session, hers never does.
  const aRoot = world.discord.state.history(DISCORD_A).find((m) => m.content.startsWith('carol asked claude'));
  assert.ok(aRoot);
  world.discord.sendMessage({ channelId: aRoot.id, content: 'and label them', author: DAVE });
  await eventually(() => prompts(session).includes('and label them'), "A's follow-up on the session");
  assert.ok(!prompts(session).some((prompt) => prompt.includes('prod database')), `the stranger's reply never reached Blocks: ${JSON.stringify(prompts(session))}`);
  assert.equal(world.blocks.state.sessions.size, 1);
  assert.ok(world.logs.some((line) => line['msg'] === 'reply in a copy of an agent thread not sent to the agent' && line['placeId'] !== undefined));
});
