import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Agent } from 'undici';
import { RateLimitedError, UpstreamError } from '../../../src/core/errors.js';
import { BlocksApiError, createBlocksClient, mayHaveBeenProcessed } from '../../../src/services/blocks/index.js';
import { FAKE_BLOCKS_API_KEY } from '../../../src/simulators/blocks.js';
import { SOME_UUID, startHarness } from './harness.js';
import { createPassThroughBudget } from './pass-through-budget.js';

const SESSIONS = '/rest/v1/sessions';
const ANY_SESSION = /^\/rest\/v1\/sessions\/[^/]+$/;
const FOLLOW_UP = /^\/rest\/v1\/sessions\/[^/]+\/messages$/;

function blocksError(code: string, check?: (error: BlocksApiError) => void) {
  return (error: unknown) => {
    assert.ok(error instanceof BlocksApiError, `expected BlocksApiError, got ${String(error)}`);
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.service, 'blocks');
    assert.equal(error.code, code);
    check?.(error);
    return true;
  };
}

describe('validation errors', () => {
  test('400 and 422 map to VALIDATION with the reason read from error, error.message or message', async () => {
    for (const [status, shape] of [
      [400, 'error-string'],
      [422, 'error-object'],
      [400, 'message'],
    ] as const) {
      const h = await startHarness({ validationStatus: status, errorShape: shape });
      try {
        // A follow-up to a session without messages is the fake's own 400 BAD_REQUEST, in this envelope shape.
        await assert.rejects(
          h.client.sendFollowUp(h.fake.createEmptySession().id, { message: 'x' }),
          blocksError('VALIDATION', (error) => {
            assert.equal(error.status, 400);
            assert.equal(error.apiCode, 'BAD_REQUEST');
            assert.match(error.reason ?? '', /no initial message/);
            assert.equal(error.retryable, false);
          }),
          shape,
        );
        h.fake.inject({
          type: 'respond',
          status,
          body:
            shape === 'error-object'
              ? { error: { code: 'VALIDATION', message: 'agent_name must be one of claude' } }
              : { error: 'agent_name must be one of claude', code: 'VALIDATION' },
        });
        await assert.rejects(
          h.client.createSession({ message: 'x', agentName: 'claude' }),
          blocksError('VALIDATION', (error) => {
            assert.equal(error.status, status);
            assert.equal(error.apiCode, 'VALIDATION');
            assert.equal(error.reason, 'agent_name must be one of claude');
            assert.match(error.message, /agent_name must be one of claude/);
          }),
        );
      } finally {
        await h.close();
      }
    }
  });

  test('a plain-text error body gives its first 500 characters as the reason', async () => {
    const h = await startHarness();
    try {
      const html = `<html>${'x'.repeat(900)}</html>`;
      h.fake.inject({ type: 'respond', status: 422, body: html });
      await assert.rejects(
        h.client.getSession(SOME_UUID),
        blocksError('VALIDATION', (error) => {
          assert.equal(error.reason, html.slice(0, 500));
        }),
      );
    } finally {
      await h.close();
    }
  });
});

describe('auth and not-found errors', () => {
  test('a wrong key gives AUTH (403), is not retried and never appears in the error', async () => {
    const h = await startHarness({}, { apiKey: 'blk_wrong_key_9876543210' });
    try {
      await assert.rejects(
        h.client.getSession(SOME_UUID),
        blocksError('AUTH', (error) => {
          assert.equal(error.status, 403);
          assert.equal(error.retryable, false);
          assert.ok(!JSON.stringify({ m: error.message, d: error.detail, r: error.reason }).includes('blk_wrong_key_9876543210'));
        }),
      );
      assert.equal(h.fake.state.requests.length, 1);
      assert.equal(h.fake.state.requests[0]?.status, 403);
    } finally {
      await h.close();
    }
  });

  test('401 maps to AUTH and a key echoed back by the server is redacted', async () => {
    const h = await startHarness();
    try {
      h.fake.inject({ type: 'respond', status: 401, body: { error: `key ${FAKE_BLOCKS_API_KEY} expired` } });
      await assert.rejects(
        h.client.getSession(SOME_UUID),
        blocksError('AUTH', (error) => {
          assert.equal(error.status, 401);
          const text = JSON.stringify({ m: error.message, d: error.detail, r: error.reason });
          assert.ok(!text.includes(FAKE_BLOCKS_API_KEY), text);
        }),
      );
      assert.equal(h.fake.state.requests.length, 1);
    } finally {
      await h.close();
    }
  });

  test('an unknown session, or one from another workspace, is NOT_FOUND', async () => {
    const h = await startHarness({ apiKeys: [FAKE_BLOCKS_API_KEY, 'blk_other_workspace_key'] });
    try {
      await assert.rejects(
        h.client.getSession(SOME_UUID),
        blocksError('NOT_FOUND', (error) => assert.equal(error.status, 404)),
      );
      const foreign = h.fake.createEmptySession('blk_other_workspace_key');
      await assert.rejects(h.client.sendFollowUp(foreign.id, { message: 'hi' }), blocksError('NOT_FOUND'));
    } finally {
      await h.close();
    }
  });
});

describe('429 handling', () => {
  test('Retry-After in seconds pauses the budget for that long, then the request is retried through the budget', async () => {
    const h = await startHarness();
    try {
      h.fake.inject({ type: 'rate-limit', retryAfterSeconds: 2, method: 'POST', path: SESSIONS });
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      assert.ok(created.id);
      assert.deepEqual(h.budget.pauses, [2000]);
      assert.deepEqual(
        h.fake.state.requests.map((r) => r.status),
        [429, 200],
      );
      assert.equal(h.budget.scheduled.length, 2);
      assert.ok(h.budget.scheduled.every((s) => s.priority === 'interactive'));
    } finally {
      await h.close();
    }
  });

  test('Retry-After as an HTTP date pauses until that date', async () => {
    const h = await startHarness();
    try {
      h.fake.inject({ type: 'rate-limit', retryAfterSeconds: 3, retryAfterAs: 'date' });
      await assert.rejects(h.client.getSession(SOME_UUID), blocksError('NOT_FOUND'));
      assert.equal(h.budget.pauses.length, 1);
      const [pause] = h.budget.pauses;
      // An HTTP date has whole seconds: 3 s ahead, less the part of a second already gone.
      assert.ok(pause! > 1000 && pause! <= 3000, String(pause));
    } finally {
      await h.close();
    }
  });

  test('a Retry-After longer than one rate window is capped at a minute', async () => {
    const h = await startHarness();
    try {
      h.fake.inject({ type: 'rate-limit', retryAfterSeconds: 3600 });
      await assert.rejects(h.client.getSession(SOME_UUID), blocksError('NOT_FOUND'));
      assert.deepEqual(h.budget.pauses, [60_000]);
    } finally {
      await h.close();
    }
  });

  test('without Retry-After the pause is the client backoff, doubling while 429s repeat', async () => {
    const h = await startHarness({}, { backoffMs: 100, maxBackoffMs: 1000, random: () => 0 });
    try {
      h.fake.inject({ type: 'rate-limit', times: 3 });
      await h.client.listMessages({ sessionId: (await h.client.createSession({ message: 'x', agentName: 'claude' })).id });
      // Full jitter with random() = 0 → half of 100, 200, 400.
      assert.deepEqual(h.budget.pauses, [50, 100, 200]);
      assert.equal(h.fake.state.requests.length, 5);
    } finally {
      await h.close();
    }
  });

  test('after the last retry the RateLimitedError is thrown with the wait and its origin', async () => {
    const h = await startHarness({}, { maxRetries: 2 });
    try {
      h.fake.inject({ type: 'rate-limit', retryAfterSeconds: 1, times: 3 });
      await assert.rejects(h.client.getSession(SOME_UUID), (error: unknown) => {
        assert.ok(error instanceof RateLimitedError);
        assert.equal(error.retryAfterMs, 1000);
        assert.equal(error.retryAfterFromServer, true);
        assert.equal(error.service, 'blocks');
        return true;
      });
      assert.equal(h.fake.state.requests.length, 3);
      assert.deepEqual(h.budget.pauses, [1000, 1000, 1000]);
    } finally {
      await h.close();
    }
  });

  test('a follow-up refused with 429 is resent: a refused request was not processed', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      h.fake.inject({ type: 'rate-limit', method: 'POST', path: FOLLOW_UP });
      const turn = await h.client.sendFollowUp(created.id, { message: 'again' });
      assert.ok(turn.threadId);
      assert.equal(h.fake.state.requests.filter((r) => r.method === 'POST' && FOLLOW_UP.test(r.path)).length, 2);
    } finally {
      await h.close();
    }
  });

  test('the server window answers the 101st request in a minute with 429 through the client', async () => {
    const clock = { now: 1_800_000_000_000 };
    const h = await startHarness({ now: () => clock.now }, { maxRetries: 0 });
    try {
      for (let i = 0; i < 100; i += 1) {
        clock.now += 100;
        await assert.rejects(h.client.getSession(SOME_UUID), blocksError('NOT_FOUND'));
      }
      clock.now += 100;
      await assert.rejects(h.client.getSession(SOME_UUID), (error: unknown) => {
        assert.ok(error instanceof RateLimitedError);
        assert.equal(error.retryAfterFromServer, true);
        return true;
      });
      assert.equal(h.fake.state.violations, 1);
      assert.equal(h.fake.maxInAnyWindow(), 101);
      assert.equal(h.budget.pauses.length, 1);
    } finally {
      await h.close();
    }
  });
});

describe('5xx and network failures', () => {
  test('a GET is retried after 5xx and succeeds', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      h.fake.inject({ type: 'respond', status: 503, body: 'upstream down', method: 'GET', times: 2 });
      const session = await h.client.getSession(created.id);
      assert.equal(session.id, created.id);
      assert.deepEqual(
        h.fake.state.requests.slice(1).map((r) => r.status),
        [503, 503, 200],
      );
      assert.equal(h.budget.scheduled.length, 4);
    } finally {
      await h.close();
    }
  });

  test('a GET that keeps failing with 5xx ends in a retryable SERVER error', async () => {
    const h = await startHarness({}, { maxRetries: 1 });
    try {
      h.fake.inject({ type: 'respond', status: 500, body: { error: 'boom' }, times: 5 });
      await assert.rejects(
        h.client.getSession(SOME_UUID),
        blocksError('SERVER', (error) => {
          assert.equal(error.retryable, true);
          assert.equal(error.maybeProcessed, false);
          assert.equal(error.reason, 'boom');
        }),
      );
      assert.equal(h.fake.state.requests.length, 2);
    } finally {
      await h.close();
    }
  });

  test('a follow-up answered 5xx is never resent and is flagged maybe-processed', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      h.fake.inject({ type: 'respond', status: 502, body: { error: 'bad gateway' }, method: 'POST', path: FOLLOW_UP, times: 3 });
      await assert.rejects(
        h.client.sendFollowUp(created.id, { message: 'again' }),
        blocksError('SERVER', (error) => {
          assert.equal(error.maybeProcessed, true);
          assert.equal(error.retryable, false);
          assert.equal(mayHaveBeenProcessed(error), true);
        }),
      );
      assert.equal(h.fake.state.requests.filter((r) => FOLLOW_UP.test(r.path)).length, 1);
    } finally {
      await h.close();
    }
  });

  test('a create answered 5xx is resent at most once, then flagged maybe-processed', async () => {
    const h = await startHarness();
    try {
      h.fake.inject({ type: 'respond', status: 500, method: 'POST', path: SESSIONS, times: 5 });
      await assert.rejects(
        h.client.createSession({ message: 'x', agentName: 'claude' }),
        blocksError('SERVER', (error) => assert.equal(error.maybeProcessed, true)),
      );
      assert.equal(h.fake.state.requests.length, 2);
      h.fake.clearFaults();
      h.fake.inject({ type: 'respond', status: 500, method: 'POST', path: SESSIONS });
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      assert.ok(created.id);
      assert.equal(h.fake.state.requests.length, 4);
    } finally {
      await h.close();
    }
  });

  test('a dropped connection is retried for a GET but passed through for a follow-up', async () => {
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      h.fake.inject({ type: 'drop', method: 'GET', path: ANY_SESSION });
      assert.equal((await h.client.getSession(created.id)).id, created.id);
      assert.deepEqual(
        h.fake.state.requests.slice(1).map((r) => [r.fault ?? '', r.status]),
        [
          ['drop', 0],
          ['', 200],
        ],
      );

      h.fake.inject({ type: 'drop', method: 'POST', path: FOLLOW_UP });
      await assert.rejects(h.client.sendFollowUp(created.id, { message: 'again' }), (error: unknown) => {
        assert.ok(error instanceof UpstreamError);
        assert.equal(error.code, 'CONNECTION_LOST');
        assert.equal(mayHaveBeenProcessed(error), true);
        return true;
      });
      assert.equal(h.fake.state.requests.filter((r) => FOLLOW_UP.test(r.path)).length, 1);
    } finally {
      await h.close();
    }
  });

  test('a hung request times out with TIMEOUT', async () => {
    const h = await startHarness({}, { requestTimeoutMs: 150, maxRetries: 0 });
    try {
      h.fake.inject({ type: 'hang' });
      await assert.rejects(h.client.getSession(SOME_UUID), { code: 'TIMEOUT', status: 0 });
      assert.equal(h.fake.state.requests[0]?.fault, 'hang');
    } finally {
      await h.close();
    }
  });

  test('an unreachable server is retried for every method, each attempt through the budget', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const agent = new Agent();
    const budget = createPassThroughBudget();
    const client = createBlocksClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: FAKE_BLOCKS_API_KEY,
      dispatcher: agent,
      budget,
      maxRetries: 2,
      backoffMs: 1,
      maxBackoffMs: 2,
    });
    try {
      await assert.rejects(client.sendFollowUp(SOME_UUID, { message: 'x' }), (error: unknown) => {
        assert.ok(error instanceof UpstreamError);
        assert.equal(error.code, 'UNREACHABLE');
        assert.equal(mayHaveBeenProcessed(error), false);
        return true;
      });
      assert.equal(budget.scheduled.length, 3);
    } finally {
      await agent.close();
    }
  });
});

describe('timeouts on POSTs', () => {
  test('a create that times out is not resent (it has most likely arrived): the timeout passes through as maybe-processed', async () => {
    const h = await startHarness({}, { requestTimeoutMs: 100 });
    try {
      h.fake.inject({ type: 'hang', method: 'POST', times: 2 });
      await assert.rejects(h.client.createSession({ message: 'x', agentName: 'claude' }), (error: unknown) => {
        assert.ok(error instanceof UpstreamError);
        assert.equal(error.code, 'TIMEOUT');
        assert.equal(mayHaveBeenProcessed(error), true);
        return true;
      });
      assert.deepEqual(
        h.fake.state.requests.map((r) => r.fault),
        ['hang'],
      );
    } finally {
      await h.close();
    }
  });
});
