import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentPost } from '../../../src/core/agent-posts.js';
import { agentPostEventId, agentPostItem, attributionOf } from '../../../src/mirror/agent-post.js';
import { crossPostName, fluxraParts } from '../../../src/mirror/attribution.js';
import { skipReason } from '../../../src/mirror/to-fluxra/intake.js';

const answer: AgentPost = {
  kind: 'answer',
  ref: { platform: 'slack', channelId: 'C1', messageId: '1700000000.000200', threadRootId: '1700000000.000100' },
  text: 'The build is red because of lint.',
  agentLabel: 'claude',
  postedAt: 1_700_000_000_000,
};

test('an agent post becomes a mirror item of its own thread, attributed to the agent on Blocks', () => {
  const item = agentPostItem(answer);
  assert.equal(item.kind, 'message');
  assert.deepEqual(item.ref, answer.ref, 'the item is the post itself, in its thread');
  assert.equal(item.agent, 'claude');
  assert.equal(item.text, answer.text);
  assert.deepEqual(attributionOf(item), { name: 'claude', platform: 'blocks' });
  assert.deepEqual(fluxraParts('[{name} · {platform}] {text}', { ...attributionOf(item), text: item.text }, 10_000), ['[claude · Blocks] The build is red because of lint.']);
  assert.equal(crossPostName('claude', 'blocks'), 'claude (Blocks)');
});

test('the same post handed twice is one item (one id per posted message)', () => {
  assert.equal(agentPostItem(answer).eventId, agentPostItem({ ...answer, postedAt: answer.postedAt + 5_000 }).eventId);
  assert.notEqual(agentPostEventId(answer), agentPostEventId({ ref: { ...answer.ref, messageId: '1700000000.000300' } }));
});

test("the mirror takes an agent post although the bridge wrote it, and still skips the bridge's other posts", () => {
  const config = { allowBotMessages: true };
  assert.equal(skipReason(agentPostItem(answer), config), undefined);
  const { agent: _agent, ...echo } = agentPostItem(answer);
  assert.equal(skipReason(echo, config), 'our own post', 'the platform echo of the same post (no agent mark) is not mirrored again');
});

test("a person's message is attributed to the person on their platform", () => {
  const person = { author: { id: 'U1', displayName: 'Ada', isBot: false, isSelf: false }, platform: 'discord' as const };
  assert.deepEqual(attributionOf(person), { name: 'Ada', platform: 'discord' });
});
