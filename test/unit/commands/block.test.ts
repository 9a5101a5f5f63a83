import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockUsage } from '../../../src/commands/block-parse.js';
import { UNEXPECTED_ERROR_ANSWER } from '../../../src/commands/router.js';
import { type BlockHarness, startBlockHarness } from './fluxra-harness.js';

async function withHarness(fn: (h: BlockHarness) => Promise<void>, options?: Parameters<typeof startBlockHarness>[0]): Promise<void> {
  const h = await startBlockHarness(options);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const BLOCK_ID = /blk_[0-9a-f-]{36}/;

test('/block agent creates an agent block and says how to undo it', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    const answer = await h.run(`agent ${target.agentId}`);
    const [block] = [...h.fake.state.blocks.values()];
    assert.ok(block);
    assert.deepEqual(h.blockRequests(), [{ method: 'POST', path: '/api/blocks', query: {}, body: { type: 'agent', target_id: target.agentId } }]);
    assert.equal(answer, `Blocked agent \`${target.agentId}\` (block \`${block.blockId}\`). Undo with \`/block remove ${block.blockId}\`.`);
    assert.equal(block.ownerId, h.bridge.agentId);
    const created = h.log.lines.find((l) => l['msg'] === 'block created');
    assert.equal(created?.['targetId'], target.agentId);
    assert.equal(created?.['userId'], 'U0ADMIN');
  }));

test('an ID typed in upper case is sent in lower case', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    await h.run(`AGENT ${target.agentId.toUpperCase()}`);
    assert.deepEqual(h.blockRequests()[0]?.body, { type: 'agent', target_id: target.agentId });
  }));

test('/block conversation with an ID creates a group block', () =>
  withHarness(async (h) => {
    const conversation = h.fake.createConversation({ creatorId: h.bridge.agentId });
    const answer = await h.run(`conversation ${conversation.conversationId}`);
    assert.deepEqual(h.blockRequests(), [{ method: 'POST', path: '/api/blocks', query: {}, body: { type: 'group', target_id: conversation.conversationId } }]);
    assert.match(answer, new RegExp(`^Blocked conversation \`${conversation.conversationId}\` \\(block \`${BLOCK_ID.source}\`\\)\\. Undo with`));
    assert.doesNotMatch(answer, /linked/);
  }));

test('/block conversation without an ID, in a channel that is not linked, asks for one and sends nothing', () =>
  withHarness(async (h) => {
    const answer = await h.run('conversation');
    assert.equal(answer, 'This channel is not linked to a Fluxra conversation; give one: `/block conversation conv_…`.');
    assert.deepEqual(h.fake.state.requests, []);
  }));

test('/block conversation without an ID blocks the linked conversation and warns about the link', async () => {
  let conversationId = '';
  const asked: string[] = [];
  await withHarness(
    async (h) => {
      conversationId = h.fake.createConversation({ creatorId: h.bridge.agentId }).conversationId;
      const answer = await h.run('conversation');
      assert.deepEqual(h.blockRequests()[0]?.body, { type: 'group', target_id: conversationId });
      assert.match(answer, /\nThis channel is linked to that conversation: the bridge cannot post into it until the block is removed\.$/);
      assert.equal(asked[0], 'slack:C0GENERAL');
    },
    {
      channelLinks: {
        async conversationFor(channel) {
          asked.push(`${channel.platform}:${channel.channelId}`);
          return conversationId;
        },
      },
    },
  );
});

test('/block list reads every page and shows each block readably', () =>
  withHarness(
    async (h) => {
      const targets = Array.from({ length: 5 }, () => h.fake.createAgent());
      for (const t of targets) h.fake.blockFrom(h.bridge.agentId, t.agentId);
      const answer = await h.run('list');
      assert.equal(h.blockRequests().length, 3, 'three pages of two');
      assert.ok(h.blockRequests().every((r) => r.method === 'GET' && r.path === '/api/blocks'));
      assert.equal(h.blockRequests()[1]?.query['cursor'] !== undefined, true);
      const lines = answer.split('\n');
      assert.equal(lines[0], '5 blocks, newest first:');
      for (const t of targets) assert.ok(answer.includes(`• agent \`${t.agentId}\`, block \``), t.agentId);
      assert.match(lines[1] ?? '', /, since 3 Apr 2026, 20:00 UTC$/);
    },
    { fake: { blocksPageSize: 2 } },
  ));

test('/block list with nothing blocked says so', () =>
  withHarness(async (h) => {
    assert.equal(await h.run('list'), 'Nothing is blocked. Block an agent with `/block agent agt_…`.');
  }));

test('/block remove with a block ID deletes that block', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    h.fake.blockFrom(h.bridge.agentId, target.agentId);
    const [block] = [...h.fake.state.blocks.values()];
    assert.ok(block);
    const answer = await h.run(`remove ${block.blockId}`);
    assert.equal(answer, `Removed block \`${block.blockId}\`.`);
    assert.deepEqual(h.blockRequests(), [{ method: 'DELETE', path: `/api/blocks/${block.blockId}`, query: {}, body: undefined }]);
    assert.equal(h.fake.state.blocks.size, 0);
  }));

test('/block remove with a target finds its block among all pages and deletes it', () =>
  withHarness(
    async (h) => {
      const others = Array.from({ length: 3 }, () => h.fake.createAgent());
      const conversation = h.fake.createConversation({ creatorId: h.bridge.agentId });
      for (const o of others) h.fake.blockFrom(h.bridge.agentId, o.agentId);
      h.fake.blockFrom(h.bridge.agentId, conversation.conversationId, 'group');
      const block = [...h.fake.state.blocks.values()].find((b) => b.targetId === conversation.conversationId);
      assert.ok(block);
      const answer = await h.run(`remove ${conversation.conversationId.toUpperCase()}`);
      assert.equal(answer, `Removed the block on conversation \`${conversation.conversationId}\` (block \`${block.blockId}\`).`);
      const requests = h.blockRequests();
      assert.deepEqual(
        requests.map((r) => r.method),
        ['GET', 'GET', 'DELETE'],
      );
      assert.equal(requests.at(-1)?.path, `/api/blocks/${block.blockId}`);
      assert.equal(h.fake.state.blocks.size, 3);
    },
    { fake: { blocksPageSize: 2 } },
  ));

test('/block remove with a target that is not blocked says so and deletes nothing', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    assert.equal(await h.run(`remove ${target.agentId}`), `Agent \`${target.agentId}\` is not blocked.`);
    assert.deepEqual(
      h.blockRequests().map((r) => r.method),
      ['GET'],
    );
  }));

test('/block help and /block alone show the usage to anyone, without a request', () =>
  withHarness(async (h) => {
    assert.equal(await h.run('help', { userId: 'U0NOBODY' }), blockUsage('block'));
    assert.equal(await h.run('', { userId: 'U0NOBODY' }), blockUsage('block'));
    assert.deepEqual(h.fake.state.requests, []);
  }));

test('someone not allowed is refused and nothing reaches Fluxra', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    for (const text of [`agent ${target.agentId}`, 'list', `remove ${target.agentId}`, 'conversation']) {
      assert.equal(await h.run(text, { userId: 'U0NOBODY' }), "Only workspace admins and owners or people on the bridge's allow-list can block; ask an admin.");
    }
    assert.deepEqual(h.fake.state.requests, []);
  }));

test('a workspace admin not on the allow-list may block', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    assert.match(await h.run(`agent ${target.agentId}`, { userId: 'U0OWNER', privileged: true }), /^Blocked agent/);
  }));

test('bad input is refused before any request reaches Fluxra', () =>
  withHarness(async (h) => {
    const inputs: Array<string | string[]> = [
      'remove ../../api/agents',
      'remove blk_7c9e6679-7425-40de-944b-e07fc1f90ae7?x=1',
      'remove blk_7c9e6679-7425-40de-944b-e07fc1f90ae7#frag',
      ['remove', 'blk_7c9e6679-7425-40de-944b-e07fc1f90ae7 x'],
      ['agent', `agt_0123456789\u0430bcdef0123456789abcdef`],
      ['agent', `agt_${'a'.repeat(10_000)}`],
      'agent agt_123',
      'list everything',
      'frobnicate',
    ];
    for (const input of inputs) {
      const answer = await h.run(input);
      assert.ok(answer.length < 1_200, `long answer for ${String(input).slice(0, 40)}`);
    }
    assert.deepEqual(h.fake.state.requests, []);
  }));

test('409: blocking something already blocked answers "already blocked"', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    h.fake.blockFrom(h.bridge.agentId, target.agentId);
    assert.equal(await h.run(`agent ${target.agentId}`), `Agent \`${target.agentId}\` is already blocked. See \`/block list\`.`);
  }));

test('404: removing a block that does not exist answers "no such block"', () =>
  withHarness(async (h) => {
    const id = 'blk_7c9e6679-7425-40de-944b-e07fc1f90ae7';
    assert.equal(await h.run(`remove ${id}`), `There is no block \`${id}\` (already removed?). See \`/block list\`.`);
  }));

test('400 INVALID_TARGET: says what Fluxra would not block', () =>
  withHarness(async (h) => {
    const unknownAgent = 'agt_ffffffffffffffffffffffffffffffff';
    assert.equal(await h.run(`agent ${unknownAgent}`), `Fluxra will not block agent \`${unknownAgent}\`: no such agent is visible to the bridge, or it is the bridge's own agent.`);
    assert.match(await h.run(`agent ${h.bridge.agentId}`), /Fluxra will not block agent .* or it is the bridge's own agent\./);
    const unknownConversation = 'conv_0f8fad5b-d9cb-469f-a165-70867728950e';
    assert.equal(
      await h.run(`conversation ${unknownConversation}`),
      `Fluxra will not block conversation \`${unknownConversation}\`: no such conversation is visible to the bridge.`,
    );
  }));

test('400 INVALID_BLOCK_ID: says Fluxra does not take it as a block ID', () =>
  withHarness(async (h) => {
    const id = 'blk_7c9e6679-7425-40de-944b-e07fc1f90ae7';
    h.fake.inject({ kind: 'status', status: 400, json: { error: { code: 'INVALID_BLOCK_ID', message: 'not a block id' } } }, { route: 'deleteBlock' });
    assert.equal(await h.run(`remove ${id}`), `Fluxra says \`${id}\` is not a block ID.`);
  }));

test('400 INVALID_REQUEST on create: says the ID was not accepted', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    h.fake.inject({ kind: 'status', status: 400, json: { error: { code: 'INVALID_REQUEST', message: 'target_id is required' } } }, { route: 'createBlock' });
    assert.equal(await h.run(`agent ${target.agentId}`), `Fluxra did not accept \`${target.agentId}\` as an agent to block.`);
  }));

test('401 and 403: the bridge credentials are not accepted', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    const answer = "The bridge's Fluxra credentials are not accepted: tell an admin.";
    // A plain-text 401 from the auth middleware, on the call and on the retry after renewing the JWT.
    h.fake.inject({ kind: 'status', status: 401, text: 'Unauthorized' }, { route: 'createBlock', times: 2 });
    assert.equal(await h.run(`agent ${target.agentId}`), answer);
    h.fake.inject({ kind: 'status', status: 403, json: { error: { code: 'FORBIDDEN', message: 'missing scope blocks:write' } } }, { route: 'listBlocks' });
    assert.equal(await h.run('list'), answer);
  }));

test('a rejected API key (token exchange refused) gets the same credentials answer', () =>
  withHarness(
    async (h) => {
      assert.equal(await h.run('list'), "The bridge's Fluxra credentials are not accepted: tell an admin.");
      assert.deepEqual(h.blockRequests(), []);
    },
    { apiKey: 'sk_wrong_key_0000000000' },
  ));

test('429: says when to try again', () =>
  withHarness(async (h) => {
    h.fake.inject({ kind: 'rateLimit', retryAfter: '7' }, { route: 'listBlocks' });
    assert.equal(await h.run('list'), 'Fluxra is asking the bridge to slow down; try again in 7 s.');
    const warning = h.log.lines.find((l) => l['msg']?.toString().startsWith('command failed upstream'));
    assert.equal(warning?.['status'], 429);
  }));

test('network failures: Fluxra is not answering', () =>
  withHarness(
    async (h) => {
      const target = h.fake.createAgent();
      const answer = 'Fluxra is not answering; try again in a minute.';
      h.fake.inject({ kind: 'drop' }, { route: 'createBlock' });
      assert.equal(await h.run(`agent ${target.agentId}`), answer);
      h.fake.inject({ kind: 'hang' }, { route: 'listBlocks' });
      assert.equal(await h.run('list'), answer);
    },
    { requestTimeoutMs: 300 },
  ));

test('Fluxra is not running at all: Fluxra is not answering', async () => {
  const h = await startBlockHarness();
  await h.fake.close();
  try {
    assert.equal(await h.run('list'), 'Fluxra is not answering; try again in a minute.');
  } finally {
    await h.close().catch(() => {});
  }
});

test('5xx: Fluxra had a problem', () =>
  withHarness(async (h) => {
    h.fake.inject({ kind: 'status', status: 500, json: { error: { code: 'INTERNAL_ERROR', message: 'oops' } } }, { route: 'listBlocks' });
    assert.equal(await h.run('list'), 'Fluxra had a problem (HTTP 500); try again in a minute.');
  }));

test('an answer the client cannot read: something went wrong, and the log has the detail', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    h.fake.inject({ kind: 'status', status: 201, json: { hello: 'world' } }, { route: 'createBlock' });
    assert.equal(await h.run(`agent ${target.agentId}`), UNEXPECTED_ERROR_ANSWER);
    const error = h.log.lines.find((l) => l['level'] === 50);
    assert.match(String(error?.['msg']), /BAD_RESPONSE|unexpected response/);
  }));

test('odd values in a Fluxra answer are echoed inertly', () =>
  withHarness(async (h) => {
    const target = h.fake.createAgent();
    const odd = 'blk_`<!channel>`';
    h.fake.inject(
      { kind: 'status', status: 201, json: { block_id: odd, target_type: 'agent', target_id: target.agentId, created_at: '2026-04-03T20:00:00Z' } },
      { route: 'createBlock' },
    );
    const answer = await h.run(`agent ${target.agentId}`);
    assert.doesNotMatch(answer, /<!channel>/);
    assert.equal(answer, `Blocked agent \`${target.agentId}\` (block \`blk_\uFFFD\uFFFD!channel\uFFFD\uFFFD\`). Undo with \`/block remove blk_\uFFFD\uFFFD!channel\uFFFD\uFFFD\`.`);
  }));
