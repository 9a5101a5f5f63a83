/**
 * `/block` and the links `/bridge` made: blocking a linked conversation pauses its links,
 * removing the block resumes them (and only those a block paused).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BridgeHarness, DISCORD_CHANNEL, SLACK_CHANNEL, startBridgeHarness } from './bridge-harness.js';

async function withLinkedConversation(fn: (h: BridgeHarness, conv: string) => Promise<void>): Promise<void> {
  const h = await startBridgeHarness();
  try {
    const conv = h.conversation();
    await h.run(`link ${conv}`);
    await h.run(`link ${conv}`, { channel: DISCORD_CHANNEL });
    h.changes.length = 0;
    await fn(h, conv);
  } finally {
    await h.close();
  }
}

const block = (h: BridgeHarness, text: string, channel = SLACK_CHANNEL): Promise<string> => h.run(text, { command: 'block', channel });

async function pausedState(h: BridgeHarness): Promise<Array<[boolean | undefined, string | undefined]>> {
  const slack = await h.store.links.get(SLACK_CHANNEL);
  const discord = await h.store.links.get(DISCORD_CHANNEL);
  return [
    [slack?.paused, slack?.pausedReason],
    [discord?.paused, discord?.pausedReason],
  ];
}

test('/block conversation of a linked conversation pauses every link to it and says so', () =>
  withLinkedConversation(async (h, conv) => {
    const answer = await block(h, 'conversation');
    const created = [...h.fake.state.blocks.values()][0];
    assert.ok(created);
    assert.equal(
      answer,
      [
        `Blocked conversation \`${conv}\` (block \`${created.blockId}\`). Undo with \`/block remove ${created.blockId}\`.`,
        'Mirroring is paused for <#C0GENERAL> and a Discord channel (linked to it) until the block is removed.',
      ].join('\n'),
    );
    assert.deepEqual(await pausedState(h), [
      [true, 'blocked by /block'],
      [true, 'blocked by /block'],
    ]);
    assert.equal(h.changes.length, 1);
    assert.deepEqual(h.changes[0]?.map((c) => c.platform).sort(), ['discord', 'slack']);
    assert.ok(h.log.lines.some((l) => l['msg'] === 'links paused by a block' && l['paused'] === 2));
  }));

test('/block remove by target resumes the links the block paused', () =>
  withLinkedConversation(async (h, conv) => {
    await block(h, `conversation ${conv}`, DISCORD_CHANNEL);
    h.changes.length = 0;
    const answer = await block(h, `remove ${conv}`);
    assert.match(answer, new RegExp(`^Removed the block on conversation \`${conv}\` \\(block \`blk_[0-9a-f-]{36}\`\\)\\.\\n`));
    assert.ok(answer.endsWith('\nMirroring resumes for <#C0GENERAL> and a Discord channel.'), answer);
    assert.deepEqual(await pausedState(h), [
      [false, undefined],
      [false, undefined],
    ]);
    assert.equal(h.changes.length, 1);
    assert.equal(h.changes[0]?.length, 2);
    assert.match(await h.run('status'), /\n• Mirroring: on\n/);
  }));

test('/block remove by block ID finds what it blocked first, then resumes its links', () =>
  withLinkedConversation(async (h, conv) => {
    await block(h, 'conversation');
    const created = [...h.fake.state.blocks.values()][0];
    assert.ok(created);
    const seen = h.blockRequests().length;
    const answer = await block(h, `remove ${created.blockId}`, DISCORD_CHANNEL);
    assert.equal(answer, `Removed block \`${created.blockId}\`.\nMirroring resumes for <#200000000000000001> and a Slack channel.`);
    assert.deepEqual(
      h
        .blockRequests()
        .slice(seen)
        .map((r) => `${r.method} ${r.path}`),
      ['GET /api/blocks', `DELETE /api/blocks/${created.blockId}`],
    );
    assert.equal((await h.store.links.get(SLACK_CHANNEL))?.paused, false);
    assert.equal(conv, created.targetId);
  }));

test('/block remove by block ID reads no list when no link waits for a block', () =>
  withLinkedConversation(async (h) => {
    const agent = h.fake.createAgent();
    h.fake.blockFrom(h.bridge.agentId, agent.agentId);
    const created = [...h.fake.state.blocks.values()][0];
    assert.ok(created);
    const seen = h.blockRequests().length;
    assert.equal(await block(h, `remove ${created.blockId}`), `Removed block \`${created.blockId}\`.`);
    assert.deepEqual(
      h
        .blockRequests()
        .slice(seen)
        .map((r) => r.method),
      ['DELETE'],
    );
  }));

test('a link paused for another reason keeps its pause and reason through block and unblock', () =>
  withLinkedConversation(async (h, conv) => {
    await h.store.links.pause(DISCORD_CHANNEL, 'paused by an operator');
    const answer = await block(h, 'conversation');
    assert.match(answer, /\nMirroring is paused for <#C0GENERAL> and a Discord channel \(linked to it\) until the block is removed\.$/);
    assert.deepEqual(h.changes, [[SLACK_CHANNEL]], 'only the link that changed');
    await block(h, `remove ${conv}`);
    assert.deepEqual(await pausedState(h), [
      [false, undefined],
      [true, 'paused by an operator'],
    ]);
  }));

test('a conversation blocked already (outside the bridge) still gets its links paused', () =>
  withLinkedConversation(async (h, conv) => {
    h.fake.blockFrom(h.bridge.agentId, conv, 'group');
    assert.equal(
      await block(h, `conversation ${conv}`),
      `Conversation \`${conv}\` is already blocked. See \`/block list\`.\nMirroring is paused for <#C0GENERAL> and a Discord channel (linked to it) until the block is removed.`,
    );
    assert.equal((await h.store.links.get(DISCORD_CHANNEL))?.paused, true);
  }));

test('unblocking a conversation that is no longer blocked still resumes links a block paused', () =>
  withLinkedConversation(async (h, conv) => {
    await block(h, 'conversation');
    // Someone removed the block elsewhere.
    h.fake.state.blocks.clear();
    assert.equal(await block(h, `remove ${conv}`), `Conversation \`${conv}\` is not blocked.\nMirroring resumes for <#C0GENERAL> and a Discord channel.`);
    assert.equal((await h.store.links.get(SLACK_CHANNEL))?.paused, false);
  }));

test('a link the mirror paused after refused sends is left to the mirror, which resumes it with a notice', () =>
  withLinkedConversation(async (h, conv) => {
    await h.store.links.pause(SLACK_CHANNEL, 'fluxra-blocked');
    await block(h, 'conversation');
    assert.equal(
      await block(h, `remove ${conv}`),
      `Removed the block on conversation \`${conv}\` (block \`${h
        .blockRequests()
        .find((r) => r.method === 'DELETE')
        ?.path.split('/')
        .at(-1)}\`).\nMirroring resumes for a Discord channel.`,
    );
    assert.deepEqual(await pausedState(h), [
      [true, 'fluxra-blocked'],
      [false, undefined],
    ]);
  }));

test('blocking a conversation nobody is linked to touches no link', () =>
  withLinkedConversation(async (h) => {
    const other = h.conversation();
    const answer = await block(h, `conversation ${other}`);
    assert.match(answer, /^Blocked conversation `conv_[^`]+` \(block `blk_[^`]+`\)\. Undo with `\/block remove blk_[^`]+`\.$/);
    assert.deepEqual(h.changes, []);
    assert.deepEqual(await pausedState(h), [
      [false, undefined],
      [false, undefined],
    ]);
  }));

test('a rate-limited unblock resumes nothing', () =>
  withLinkedConversation(async (h, conv) => {
    await block(h, 'conversation');
    h.fake.inject({ kind: 'rateLimit', retryAfter: '3' }, { route: 'listBlocks' });
    assert.equal(await block(h, `remove ${conv}`), 'Fluxra is asking the bridge to slow down; try again in 3 s.');
    assert.equal((await h.store.links.get(SLACK_CHANNEL))?.paused, true);
    assert.equal(h.fake.state.blocks.size, 1);
  }));
