import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CORE_AGENT_NAMES } from '../../../src/config/schema.js';
import { UserInputError } from '../../../src/core/errors.js';
import { SOME_UUID, startHarness } from './harness.js';

const ALIAS_ID = '7d2c9a10-aaaa-4bbb-8ccc-000000000042';

describe('createSession', () => {
  test('creates a session with a core agent and returns its first turn on the configured origin', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'fix the flaky test', agentName: 'Codex', title: 'Flaky', isPrivate: true });
      const [request] = h.fake.state.requests;
      assert.equal(request?.method, 'POST');
      assert.equal(request?.path, '/rest/v1/sessions');
      assert.deepEqual(request?.body, { message: 'fix the flaky test', agent_name: 'codex', is_private: true, title: 'Flaky' });
      assert.equal(request?.authPresent, true);
      assert.deepEqual(h.budget.scheduled, [{ priority: 'interactive', label: 'blocks.createSession' }]);

      const stored = h.fake.state.sessions.get(created.id);
      assert.ok(stored);
      assert.equal(created.title, 'Flaky');
      assert.equal(created.threadId, stored.turns[0]?.threadId);
      assert.equal(created.turn.threadId, created.threadId);
      assert.equal(created.turn.sessionId, created.id);
      assert.match(created.sessionHtmlUrl ?? '', new RegExp(`^https://blocks\\.team/app/[0-9a-f-]+/sessions/${created.id}$`));
      // The fake writes links on https://api.prod.blocks.team: the client rebased them.
      assert.equal(created.finalMessageUrl, `${h.fake.url}/rest/v1/sessions/${created.id}/threads/${created.threadId}/messages?type=final_message&role=assistant`);
      assert.equal(created.turn.finalMessageUrlIsFallback, false);
      assert.equal(created.links.self, `${h.fake.url}/rest/v1/sessions/${created.id}`);
      assert.equal(created.links.messages, `${h.fake.url}/rest/v1/sessions/${created.id}/messages`);
      assert.deepEqual(created.pullRequests, []);
    } finally {
      await h.close();
    }
  });

  test('sends a configured alias as agent_id and a UUID agentId as is', async () => {
    const h = await startHarness({}, { agentAliases: { reviewer: ALIAS_ID } });
    try {
      await h.client.createSession({ message: 'review', agentName: 'Reviewer' });
      await h.client.createSession({ message: 'again', agentId: SOME_UUID });
      assert.deepEqual(
        h.fake.state.requests.map((r) => r.body),
        [
          { message: 'review', agent_id: ALIAS_ID },
          { message: 'again', agent_id: SOME_UUID },
        ],
      );
    } finally {
      await h.close();
    }
  });

  test('passes a profile object through untouched', async () => {
    const h = await startHarness();
    try {
      await h.client.createSession({ message: 'hi', profile: { id: 'p1', nested: { a: 1 } } });
      assert.deepEqual(h.fake.state.requests[0]?.body, { message: 'hi', profile: { id: 'p1', nested: { a: 1 } } });
    } finally {
      await h.close();
    }
  });

  test('refuses zero or several agent selectors, an empty prompt, an unknown agent and a bad agentId without sending anything', async () => {
    const h = await startHarness({}, { agentAliases: { reviewer: ALIAS_ID } });
    try {
      const cases = [
        { message: 'x' },
        { message: 'x', agentName: 'claude', agentId: SOME_UUID },
        { message: 'x', agentName: 'claude', profile: {} },
        { message: '   ', agentName: 'claude' },
        { message: 'x', agentName: 'gpt-9' },
        { message: 'x', agentId: 'not-a-uuid' },
      ];
      for (const input of cases) {
        await assert.rejects(h.client.createSession(input), UserInputError, JSON.stringify(input));
      }
      assert.equal(h.fake.state.requests.length, 0);
      assert.equal(h.budget.scheduled.length, 0);
    } finally {
      await h.close();
    }
  });

  test('an unknown agent name is refused with every valid name, aliases included', async () => {
    const h = await startHarness({}, { agentAliases: { reviewer: ALIAS_ID } });
    try {
      await assert.rejects(h.client.createSession({ message: 'x', agentName: 'gpt-9' }), (error: unknown) => {
        assert.ok(error instanceof UserInputError);
        assert.equal(error.code, 'UNKNOWN_AGENT');
        for (const name of [...CORE_AGENT_NAMES, 'reviewer']) assert.ok(error.message.includes(name), `${name} listed`);
        assert.ok(error.message.includes('gpt-9'));
        return true;
      });
    } finally {
      await h.close();
    }
  });

  test('caps the title at 200 characters', async () => {
    const h = await startHarness();
    try {
      await h.client.createSession({ message: 'x', agentName: 'claude', title: 't'.repeat(300) });
      assert.equal((h.fake.state.requests[0]?.body as { title: string }).title.length, 200);
    } finally {
      await h.close();
    }
  });

  test('falls back to the session-level final_message URL when create returns no final_message link', async () => {
    const h = await startHarness({ omitFinalMessageLink: true });
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      const url = new URL(created.finalMessageUrl);
      assert.equal(url.origin, h.fake.url);
      assert.equal(url.pathname, `/rest/v1/sessions/${created.id}/messages`);
      assert.deepEqual(
        [...url.searchParams],
        [
          ['type', 'final_message'],
          ['role', 'assistant'],
          ['thread_id', created.threadId],
        ],
      );
      assert.equal(created.turn.finalMessageUrlIsFallback, true);
      h.fake.completeTurn(created.threadId!, 'fallback answer');
      const final = await h.client.pollFinalMessage(created.turn);
      assert.equal(final?.message, 'fallback answer');
    } finally {
      await h.close();
    }
  });
});

describe('resolveAgent', () => {
  test('resolves core names case-insensitively, aliases to their id, and UUIDs to agentId', async () => {
    const h = await startHarness({}, { agentAliases: { Reviewer: ALIAS_ID } });
    try {
      assert.deepEqual(h.client.resolveAgent('CLAUDE'), { agentName: 'claude' });
      assert.deepEqual(h.client.resolveAgent(' kimi '), { agentName: 'kimi' });
      assert.deepEqual(h.client.resolveAgent('reviewer'), { agentId: ALIAS_ID });
      assert.deepEqual(h.client.resolveAgent(SOME_UUID.toUpperCase()), { agentId: SOME_UUID });
      assert.throws(() => h.client.resolveAgent('nobody'), /Valid agents: claude, codex, gemini, opencode, cursor, kimi, reviewer/);
      assert.equal(h.fake.state.requests.length, 0);
    } finally {
      await h.close();
    }
  });
});

describe('getSession', () => {
  test('reads the session with null thread and final links, and pull requests in both wire shapes', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      h.fake.addPullRequest(created.id, 'https://github.com/acme/app/pull/12');
      h.fake.addPullRequest(created.id, { url: 'https://github.com/acme/app/pull/13', status: 'merged' });
      h.fake.addPullRequest(created.id, 'PR-77');
      const session = await h.client.getSession(created.id);
      assert.equal(session.id, created.id);
      assert.equal(session.threadId, null);
      assert.equal(session.links.finalMessage, undefined);
      assert.equal(session.links.thread, undefined);
      assert.deepEqual(session.pullRequests, [
        { url: 'https://github.com/acme/app/pull/12', label: 'https://github.com/acme/app/pull/12' },
        { url: 'https://github.com/acme/app/pull/13', label: 'https://github.com/acme/app/pull/13', status: 'merged' },
        { label: 'PR-77' },
      ]);
      assert.equal(h.budget.scheduled.at(-1)?.priority, 'interactive');
      assert.equal(h.fake.state.requests.at(-1)?.path, `/rest/v1/sessions/${created.id}`);
    } finally {
      await h.close();
    }
  });

  test('refuses a non-UUID session id locally', async () => {
    const h = await startHarness();
    try {
      await assert.rejects(h.client.getSession('../../etc'), UserInputError);
      assert.equal(h.fake.state.requests.length, 0);
    } finally {
      await h.close();
    }
  });
});

describe('sendFollowUp', () => {
  test('opens a new turn on a new thread, interrupting the running one', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'first', agentName: 'claude' });
      const turn = await h.client.sendFollowUp(created.id, { message: 'second' });
      assert.equal(turn.sessionId, created.id);
      assert.notEqual(turn.threadId, created.threadId);
      assert.ok(turn.userMessageId);
      assert.equal(turn.finalMessageUrl, `${h.fake.url}/rest/v1/sessions/${created.id}/threads/${turn.threadId}/messages?type=final_message&role=assistant`);
      assert.equal(h.fake.findTurn(created.threadId!)?.turn.status, 'interrupted');
      assert.equal(h.fake.findTurn(turn.threadId!)?.turn.status, 'running');
      const request = h.fake.state.requests.at(-1);
      assert.equal(request?.path, `/rest/v1/sessions/${created.id}/messages`);
      assert.deepEqual(request?.body, { message: 'second' });
      assert.equal(h.budget.scheduled.at(-1)?.label, 'blocks.sendFollowUp');
      assert.equal(h.budget.scheduled.at(-1)?.priority, 'interactive');
    } finally {
      await h.close();
    }
  });

  test('maps a follow-up to a session without messages (400 BAD_REQUEST) to a validation error', async () => {
    const h = await startHarness();
    try {
      const empty = h.fake.createEmptySession();
      await assert.rejects(h.client.sendFollowUp(empty.id, { message: 'hello' }), (error: unknown) => {
        assert.equal((error as { code?: string }).code, 'VALIDATION');
        assert.equal((error as { apiCode?: string }).apiCode, 'BAD_REQUEST');
        assert.equal((error as { status?: number }).status, 400);
        return true;
      });
    } finally {
      await h.close();
    }
  });
});

describe('getArtifact', () => {
  test('returns artifact metadata with the presigned url, without fetching it', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'plan it', agentName: 'claude' });
      const artifact = h.fake.addArtifact(created.id, { file_name: 'plan.md' });
      const session = await h.client.getSession(created.id);
      assert.deepEqual(session.planArtifactIds, [artifact.id]);
      const read = await h.client.getArtifact(created.id, artifact.id);
      assert.equal(read.id, artifact.id);
      assert.equal(read.url, artifact.url);
      assert.equal(read.fileName, 'plan.md');
      assert.equal(read.kind, 'plan');
      assert.equal(read.mimeType, 'text/markdown');
      assert.equal(h.fake.state.requests.at(-1)?.path, `/rest/v1/sessions/${created.id}/artifacts/${artifact.id}`);
      await assert.rejects(h.client.getArtifact(created.id, SOME_UUID), { code: 'NOT_FOUND', status: 404 });
    } finally {
      await h.close();
    }
  });
});

describe('priority on the wire', () => {
  test('with sendPriorityHeader the fake logs each request with its budget priority', async () => {
    const h = await startHarness({}, { sendPriorityHeader: true });
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      await h.client.pollFinalMessage(created.turn);
      await h.client.listMessages({ sessionId: created.id }, { priority: 'interactive' });
      assert.deepEqual(
        h.fake.state.requests.map((r) => r.priority),
        ['interactive', 'background', 'interactive'],
      );
    } finally {
      await h.close();
    }
  });

  test('without it no priority header is sent', async () => {
    const h = await startHarness();
    try {
      await h.client.createSession({ message: 'x', agentName: 'claude' });
      assert.equal(h.fake.state.requests[0]?.priority, undefined);
    } finally {
      await h.close();
    }
  });
});

describe('a follow-up without a thread id or final_message link', () => {
  test("is answered only by a final message written after it, never by the previous turn's reply", async () => {
    const h = await startHarness({ followUpWithoutThread: true });
    try {
      const created = await h.client.createSession({ message: 'first question', agentName: 'claude' });
      h.fake.completeTurn(created.threadId!, 'the answer to the FIRST question');
      assert.equal((await h.client.pollFinalMessage(created.turn))?.message, 'the answer to the FIRST question');

      const turn = await h.client.sendFollowUp(created.id, { message: 'second question' });
      assert.equal(turn.threadId, null, 'Blocks named no thread');
      assert.equal(turn.finalMessageUrlIsFallback, true);
      assert.equal(await h.client.pollFinalMessage(turn), undefined, "the previous turn's reply is not this turn's answer");

      const stored = h.fake.state.sessions.get(created.id);
      const second = stored?.turns.at(-1);
      assert.ok(second && second.threadId !== created.threadId);
      h.fake.completeTurn(second.threadId, 'the answer to the SECOND question');
      assert.equal((await h.client.pollFinalMessage(turn))?.message, 'the answer to the SECOND question');
    } finally {
      await h.close();
    }
  });
});
