import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FluxraApiError } from '../../../src/services/fluxra/client.js';
import { rejection, startHarness } from './helpers.js';

describe('fluxra client: blocks', () => {
  test('createBlock posts type and target_id and maps the stored block', async () => {
    const h = await startHarness();
    try {
      const peer = h.fake.createAgent();
      const conversation = h.fake.createConversation({ creatorId: h.bridge.agentId });
      const agentBlock = await h.client.createBlock({ type: 'agent', targetId: peer.agentId });
      assert.match(agentBlock.blockId, /^blk_/);
      assert.equal(agentBlock.targetType, 'agent');
      assert.equal(agentBlock.targetId, peer.agentId);
      assert.ok(!Number.isNaN(Date.parse(agentBlock.createdAt)));
      const groupBlock = await h.client.createBlock({ type: 'group', targetId: conversation.conversationId });
      assert.equal(groupBlock.targetType, 'group');
      assert.deepEqual(
        h.fake.requestsTo('createBlock').map((r) => r.body),
        [
          { type: 'agent', target_id: peer.agentId },
          { type: 'group', target_id: conversation.conversationId },
        ],
      );
    } finally {
      await h.close();
    }
  });

  test('blocking the same target twice is 409 CONFLICT; an unknown target is 400 INVALID_TARGET', async () => {
    const h = await startHarness();
    try {
      const peer = h.fake.createAgent();
      await h.client.createBlock({ type: 'agent', targetId: peer.agentId });
      const duplicate = await rejection(() => h.client.createBlock({ type: 'agent', targetId: peer.agentId }));
      assert.ok(duplicate instanceof FluxraApiError);
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.code, 'CONFLICT');
      const invalid = await rejection(() => h.client.createBlock({ type: 'group', targetId: 'conv_nope' }));
      assert.ok(invalid instanceof FluxraApiError && invalid.status === 400 && invalid.code === 'INVALID_TARGET');
    } finally {
      await h.close();
    }
  });

  test('listBlocks follows shape-A next_cursor over several pages', async () => {
    const h = await startHarness({ fake: { blocksPageSize: 2 } });
    try {
      const peers = Array.from({ length: 5 }, () => h.fake.createAgent());
      for (const peer of peers) await h.client.createBlock({ type: 'agent', targetId: peer.agentId });
      const blocks = await h.client.listBlocks();
      assert.deepEqual(
        blocks.map((b) => b.targetId),
        peers.map((p) => p.agentId),
      );
      const pages = h.fake.requestsTo('listBlocks');
      assert.equal(pages.length, 3);
      assert.equal(pages[0]?.query['cursor'], undefined);
      assert.ok(pages[1]?.query['cursor']);
    } finally {
      await h.close();
    }
  });

  for (const lastPage of ['absent', 'empty', 'null'] as const) {
    test(`listBlocks stops on a last page whose next_cursor is ${lastPage}`, async () => {
      const h = await startHarness({ fake: { blocksPageSize: 2, blocksLastPageCursor: lastPage } });
      try {
        for (let i = 0; i < 4; i += 1) await h.client.createBlock({ type: 'agent', targetId: h.fake.createAgent().agentId });
        assert.equal((await h.client.listBlocks()).length, 4);
        assert.equal(h.fake.requestsTo('listBlocks').length, 2);
      } finally {
        await h.close();
      }
    });
  }

  test('listBlocks also accepts shape-B cursors and stops when has_more is true but no cursor comes', async () => {
    const h = await startHarness();
    try {
      const block = (id: string) => ({ block_id: id, target_type: 'agent', target_id: `agt_${id}`, created_at: '2026-04-03T20:00:00Z' });
      h.fake.inject({ kind: 'status', status: 200, json: { blocks: [block('blk_1')], cursor: 'p2', has_more: true } }, { route: 'listBlocks' });
      h.fake.inject({ kind: 'status', status: 200, json: { blocks: [block('blk_2')], has_more: true } }, { route: 'listBlocks' });
      const blocks = await h.client.listBlocks();
      assert.deepEqual(
        blocks.map((b) => b.blockId),
        ['blk_1', 'blk_2'],
      );
      assert.deepEqual(
        h.fake.requestsTo('listBlocks').map((r) => r.query['cursor']),
        [undefined, 'p2'],
      );
    } finally {
      await h.close();
    }
  });

  test('deleteBlock removes the block; unknown is 404 NOT_FOUND; a non-block id is 400 INVALID_BLOCK_ID', async () => {
    const h = await startHarness();
    try {
      const block = await h.client.createBlock({ type: 'agent', targetId: h.fake.createAgent().agentId });
      await h.client.deleteBlock(block.blockId);
      assert.equal(h.fake.state.blocks.size, 0);
      assert.equal(h.fake.requestsTo('deleteBlock')[0]?.path, `/api/blocks/${block.blockId}`);
      const missing = await rejection(() => h.client.deleteBlock(block.blockId));
      assert.ok(missing instanceof FluxraApiError && missing.status === 404 && missing.code === 'NOT_FOUND');
      const invalid = await rejection(() => h.client.deleteBlock('not-a-block'));
      assert.ok(invalid instanceof FluxraApiError && invalid.status === 400 && invalid.code === 'INVALID_BLOCK_ID');
    } finally {
      await h.close();
    }
  });
});
