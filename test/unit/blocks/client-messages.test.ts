import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserInputError } from '../../../src/core/errors.js';
import { startHarness } from './harness.js';

describe('pollTurnItems (progress and completion in one request)', () => {
  test('reads the turn thread with the three types, ascending, from the cursor string as given; returns its items in order, the final and the next cursor', async () => {
    const h = await startHarness({ script: { manual: true, progress: ['looking'], toolCalls: [{ name: 'bash', input: 'npm test' }] } });
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      const first = await h.client.pollTurnItems(created.turn, undefined);
      assert.deepEqual(first.items, []);
      assert.equal(first.final, undefined);
      assert.match(first.gts ?? '', /^\d+(\.\d+)?$/);
      let request = h.fake.state.requests.at(-1)!;
      assert.equal(request.path, `/rest/v1/sessions/${created.id}/threads/${created.threadId}/messages`);
      assert.equal(request.query, 'type=message&type=final_message&type=tool_call&direction=asc&limit=100');
      assert.deepEqual(h.budget.scheduled.at(-1), { priority: 'background', label: 'blocks.pollTurnItems' });
      h.fake.completeTurn(created.threadId!, 'the answer');
      const second = await h.client.pollTurnItems(created.turn, '1000.5');
      request = h.fake.state.requests.at(-1)!;
      assert.equal(request.query, 'type=message&type=final_message&type=tool_call&gts=1000.5&direction=asc&limit=100');
      assert.deepEqual(
        second.items.map((item) => item.type),
        ['tool_call', 'message', 'message', 'final_message'],
      );
      assert.equal(second.final?.message, 'the answer');
      assert.ok(second.gts);
    } finally {
      await h.close();
    }
  });
});

describe('listMessages', () => {
  test('sends repeated query keys, an explicit direction and the gts string exactly as given', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      await h.client.listMessages({
        sessionId: created.id,
        threadId: created.threadId!,
        types: ['message', 'final_message'],
        roles: ['user', 'assistant'],
        gts: '1777573302.4180',
        limit: 100,
        page: 2,
      });
      const request = h.fake.state.requests.at(-1)!;
      assert.equal(request.path, `/rest/v1/sessions/${created.id}/messages`);
      assert.equal(request.query, `type=message&type=final_message&role=user&role=assistant&thread_id=${created.threadId}&gts=1777573302.4180&direction=asc&page=2&limit=100`);
      assert.deepEqual(h.budget.scheduled.at(-1), { priority: 'background', label: 'blocks.listMessages' });
    } finally {
      await h.close();
    }
  });

  test('uses the threaded path when asked and always states the direction', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      await h.client.listMessages({ sessionId: created.id, threadId: created.threadId!, threaded: true, direction: 'desc' });
      const request = h.fake.state.requests.at(-1)!;
      assert.equal(request.path, `/rest/v1/sessions/${created.id}/threads/${created.threadId}/messages`);
      assert.equal(request.query, 'direction=desc');
    } finally {
      await h.close();
    }
  });

  test('returns normalised items with fractional ts, null-thread system notices, the duplicated final text, meta and the new_messages cursor', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'hello', agentName: 'claude' });
      h.fake.completeTurn(created.threadId!, 'the answer');
      const page = await h.client.listMessages({ sessionId: created.id, types: ['message', 'final_message'], roles: ['user', 'assistant'] });
      // Where a null-ts user prompt sorts is the server's business: compare as a set.
      const kinds = page.items.map((m) => [m.chatThreadId === null ? 'notice' : m.role, m.type, m.message]).sort();
      assert.deepEqual(kinds, [
        ['assistant', 'final_message', 'the answer'],
        ['assistant', 'message', 'the answer'],
        ['notice', 'message', 'Sandbox is starting up.'],
        ['user', 'message', 'hello'],
      ]);
      const final = page.items.find((m) => m.type === 'final_message')!;
      assert.equal(final.chatId, created.id);
      assert.equal(final.chatThreadId, created.threadId);
      assert.equal(typeof final.ts, 'number');
      assert.ok(!Number.isInteger(final.ts), 'ts is fractional');
      assert.equal(page.items.find((m) => m.role === 'user')?.ts, null);
      assert.deepEqual(page.meta, { total: 4, page: 1, limit: 50, totalPages: 1 });
      // The cursor is the newest ts on the page, kept as the server's string.
      assert.equal(page.newMessagesGts, String(final.ts));
      assert.equal(typeof page.newMessagesGts, 'string');
    } finally {
      await h.close();
    }
  });

  test('following the cursor with our own filters returns only newer messages', async () => {
    const h = await startHarness({ script: { afterPolls: 3, progress: ['step one', 'step two'] } });
    try {
      const created = await h.client.createSession({ message: 'go', agentName: 'claude' });
      const input = { sessionId: created.id, threadId: created.threadId!, threaded: true, types: ['message' as const, 'final_message' as const], limit: 100 };
      const first = await h.client.listMessages(input);
      assert.deepEqual(
        first.items.map((m) => m.message),
        ['step one'],
      );
      const second = await h.client.listMessages({ ...input, gts: first.newMessagesGts! });
      assert.deepEqual(
        second.items.map((m) => m.message),
        ['step two'],
      );
      const third = await h.client.listMessages({ ...input, gts: second.newMessagesGts! });
      assert.deepEqual(
        third.items.map((m) => [m.type, m.message]),
        [
          ['message', 'Done: go'],
          ['final_message', 'Done: go'],
        ],
      );
      const fourth = await h.client.listMessages({ ...input, gts: third.newMessagesGts! });
      assert.deepEqual(fourth.items, []);
      assert.ok(fourth.newMessagesGts, 'an empty page still carries a cursor');
    } finally {
      await h.close();
    }
  });

  test('refuses bad query values locally without sending', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      const before = h.fake.state.requests.length;
      const bad = [
        { sessionId: created.id, types: ['message,final_message'] },
        { sessionId: created.id, roles: ['system'] },
        { sessionId: created.id, gts: '1.5; drop' },
        { sessionId: created.id, limit: 101 },
        { sessionId: created.id, page: 0 },
        { sessionId: created.id, threaded: true },
        { sessionId: 'nope' },
      ];
      for (const input of bad) await assert.rejects(h.client.listMessages(input), UserInputError, JSON.stringify(input));
      assert.equal(h.fake.state.requests.length, before);
    } finally {
      await h.close();
    }
  });
});

describe('pollFinalMessage', () => {
  test('returns undefined while the turn runs and the final message once it exists, as a background request on the rebased link', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      assert.equal(await h.client.pollFinalMessage(created.turn), undefined);
      h.fake.completeTurn(created.threadId!, 'all done');
      const final = await h.client.pollFinalMessage(created.turn);
      assert.equal(final?.type, 'final_message');
      assert.equal(final?.message, 'all done');
      const request = h.fake.state.requests.at(-1)!;
      assert.equal(request.path, `/rest/v1/sessions/${created.id}/threads/${created.threadId}/messages`);
      assert.equal(request.query, 'type=final_message&role=assistant');
      assert.deepEqual(h.budget.scheduled.at(-1), { priority: 'background', label: 'blocks.pollFinalMessage' });
    } finally {
      await h.close();
    }
  });

  test('an empty final message still counts as done', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      h.fake.completeTurn(created.threadId!, '');
      const final = await h.client.pollFinalMessage(created.turn);
      assert.ok(final);
      assert.equal(final.message, '');
    } finally {
      await h.close();
    }
  });

  test('picks the newest final message when several come back', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      const body = (ts: number | null, created_at: string, message: string) => ({
        id: `m-${message}`,
        chat_id: created.id,
        chat_thread_id: created.threadId,
        role: 'assistant',
        type: 'final_message',
        message,
        ts,
        created_at,
      });
      h.fake.inject({
        type: 'respond',
        status: 200,
        body: {
          items: [
            body(1777573302.1, '2026-04-30T18:21:42.000Z', 'older'),
            body(1777573309.25, '2026-04-30T18:21:49.000Z', 'newest'),
            body(null, '2026-04-30T18:21:45.000Z', 'middle'),
          ],
          meta: { total: 3, page: 1, limit: 50, total_pages: 1 },
          _links: {},
        },
      });
      const final = await h.client.pollFinalMessage(created.turn);
      assert.equal(final?.message, 'newest');
    } finally {
      await h.close();
    }
  });

  test('an agent scripted to finish after two empty polls is seen done on the third', async () => {
    const h = await startHarness({ script: { afterPolls: 3, final: 'third time' } });
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      const results = [];
      for (let i = 0; i < 3; i += 1) results.push((await h.client.pollFinalMessage(created.turn))?.message);
      assert.deepEqual(results, [undefined, undefined, 'third time']);
    } finally {
      await h.close();
    }
  });

  test('an agent on a timer finishes by itself and a follow-up gets its own answer', async () => {
    const h = await startHarness({ script: (ctx) => ({ delayMs: 5, final: `answer ${ctx.turnIndex}: ${ctx.prompt}` }) });
    try {
      const created = await h.client.createSession({ message: 'one', agentName: 'claude' });
      let final = await h.client.pollFinalMessage(created.turn);
      while (!final) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        final = await h.client.pollFinalMessage(created.turn);
      }
      assert.equal(final.message, 'answer 0: one');
      const next = await h.client.sendFollowUp(created.id, { message: 'two' });
      let second = await h.client.pollFinalMessage(next);
      while (!second) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        second = await h.client.pollFinalMessage(next);
      }
      assert.equal(second.message, 'answer 1: two');
      assert.equal(second.chatThreadId, next.threadId);
    } finally {
      await h.close();
    }
  });
});
