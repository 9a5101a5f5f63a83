import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RateLimitedError, UpstreamError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/core/logger.js';
import { FluxraApiError } from '../../../src/services/fluxra/client.js';
import { createRecordingBudget, type Harness, rejection, startHarness } from './helpers.js';

async function conversationOf(h: Harness): Promise<string> {
  return h.fake.createConversation({ creatorId: h.bridge.agentId, name: 'c' }).conversationId;
}

describe('fluxra client: error mapping', () => {
  test('a JSON envelope becomes a FluxraApiError with its code, status, method and query-less url', async () => {
    const h = await startHarness();
    try {
      h.fake.inject({ kind: 'status', status: 400, json: { error: { code: 'INVALID_REQUEST', message: 'limit is wrong' } } }, { route: 'listMessages' });
      const conversationId = await conversationOf(h);
      const error = await rejection(() => h.client.listMessages({ conversationId, cursor: 'abc', limit: 5 }));
      assert.ok(error instanceof FluxraApiError);
      assert.equal(error.code, 'INVALID_REQUEST');
      assert.equal(error.status, 400);
      assert.equal(error.apiMessage, 'limit is wrong');
      assert.equal(error.retryable, false);
      assert.equal(error.service, 'fluxra');
      assert.equal(error.method, 'GET');
      assert.equal(error.url, `${h.fake.url}/api/conversations/${conversationId}/messages`);
      assert.equal(error.route, 'listMessages');
    } finally {
      await h.close();
    }
  });

  test('a plain-text or HTML body becomes code HTTP_<status>, truncated, retryable for 5xx', async () => {
    const h = await startHarness();
    try {
      const conversationId = await conversationOf(h);
      h.fake.inject({ kind: 'status', status: 502, text: `<html>${'Bad gateway '.repeat(200)}</html>` }, { route: 'sendMessage' });
      const error = await rejection(() => h.client.sendMessage({ conversationId, content: 'hi' }));
      assert.ok(error instanceof FluxraApiError);
      assert.equal(error.code, 'HTTP_502');
      assert.equal(error.retryable, true);
      assert.ok(error.apiMessage.startsWith('<html>Bad gateway'));
      assert.ok(error.apiMessage.length <= 301);
    } finally {
      await h.close();
    }
  });

  test('an error with an empty body says so', async () => {
    const h = await startHarness();
    try {
      h.fake.inject({ kind: 'status', status: 404 }, { route: 'deleteBlock' });
      const error = await rejection(() => h.client.deleteBlock('blk_x'));
      assert.ok(error instanceof FluxraApiError);
      assert.equal(error.code, 'HTTP_404');
      assert.equal(error.apiMessage, '(empty body)');
    } finally {
      await h.close();
    }
  });

  test('no API key, JWT or Authorization value appears in errors, even when the server echoes them', async () => {
    const h = await startHarness();
    try {
      const conversationId = await conversationOf(h);
      const { accessToken } = await h.client.exchangeToken();
      const echo = `failed for Authorization: Bearer ${accessToken} key=${h.bridge.apiKey} raw ${h.bridge.apiKey} ${accessToken}`;
      h.fake.inject({ kind: 'status', status: 500, text: echo }, { route: 'sendMessage' });
      h.fake.inject({ kind: 'status', status: 403, json: { error: { code: 'FORBIDDEN', message: echo } } }, { route: 'createBlock' });
      const errors = [
        await rejection(() => h.client.sendMessage({ conversationId, content: 'hi' })),
        await rejection(() => h.client.createBlock({ type: 'agent', targetId: h.bridge.agentId })),
      ];
      for (const error of errors) {
        assert.ok(error instanceof FluxraApiError);
        const texts = [error.message, error.apiMessage, String(error.detail), String(error.stack), JSON.stringify(error)];
        for (const text of texts) {
          assert.ok(!text.includes(h.bridge.apiKey), 'api key leaked');
          assert.ok(!text.includes(accessToken), 'JWT leaked');
          assert.ok(!text.includes(accessToken.split('.')[2]!), 'JWT signature leaked');
        }
      }
      assert.ok(h.fake.state.requests.every((r) => r.headers['authorization'] === undefined || /^(Basic|Bearer)$/.test(r.headers['authorization'])));
    } finally {
      await h.close();
    }
  });
});

describe('fluxra client: retries and the rate budget', () => {
  test('every attempt, the token exchange included, goes through the budget with its priority and label', async () => {
    const budget = createRecordingBudget();
    const h = await startHarness({ client: { budget } });
    try {
      h.fake.inject({ kind: 'status', status: 503, text: 'unavailable' }, { route: 'listBlocks' });
      await h.client.listBlocks({ priority: 'background' });
      assert.deepEqual(budget.scheduled, [
        { priority: 'interactive', label: 'fluxra.token' },
        { priority: 'background', label: 'fluxra.listBlocks' },
        { priority: 'background', label: 'fluxra.listBlocks' },
      ]);
      assert.equal(h.fake.requestsTo('listBlocks').length, 2);
    } finally {
      await h.close();
    }
  });

  test('a 429 with Retry-After pauses the budget for that long and is retried', async () => {
    const budget = createRecordingBudget();
    const h = await startHarness({ client: { budget } });
    try {
      h.fake.inject({ kind: 'rateLimit', retryAfter: '3' }, { route: 'listBlocks' });
      assert.deepEqual(await h.client.listBlocks(), []);
      assert.deepEqual(budget.pauses, [3000]);
      assert.deepEqual(
        h.fake.requestsTo('listBlocks').map((r) => r.status),
        [429, 200],
      );
    } finally {
      await h.close();
    }
  });

  test('a 429 without Retry-After waits the configured backoff, then retries', async () => {
    const budget = createRecordingBudget();
    const h = await startHarness({ client: { budget, rateLimitBackoffMs: 1234 } });
    try {
      h.fake.inject({ kind: 'rateLimit' }, { route: 'listBlocks' });
      await h.client.listBlocks();
      assert.deepEqual(budget.pauses, [1234]);
      assert.equal(h.fake.requestsTo('listBlocks').length, 2);
    } finally {
      await h.close();
    }
  });

  test('a 429 on POST /api/messages is retried (the server did not act) and posts exactly once', async () => {
    const h = await startHarness();
    try {
      const conversationId = await conversationOf(h);
      h.fake.inject({ kind: 'rateLimit', retryAfter: '0' }, { route: 'sendMessage' });
      await h.client.sendMessage({ conversationId, content: 'once' });
      assert.equal(h.fake.requestsTo('sendMessage').length, 2);
      assert.equal([...h.fake.state.messages.values()].filter((m) => m.content === 'once').length, 1);
    } finally {
      await h.close();
    }
  });

  test('a Retry-After date longer than the allowed wait is thrown at once as RateLimitedError', async () => {
    const budget = createRecordingBudget();
    const now = Date.parse('2026-04-03T20:00:00Z');
    const h = await startHarness({ client: { budget, now: () => now, maxRetryWaitMs: 5_000 } });
    try {
      h.fake.inject({ kind: 'rateLimit', retryAfter: 'Fri, 03 Apr 2026 20:00:07 GMT' }, { route: 'createBlock' });
      const error = await rejection(() => h.client.createBlock({ type: 'agent', targetId: h.fake.createAgent().agentId }));
      assert.ok(error instanceof RateLimitedError);
      assert.equal(error.retryAfterMs, 7000);
      assert.equal(error.retryAfterFromServer, true);
      assert.equal(error.status, 429);
      assert.equal(error.retryable, true);
      assert.deepEqual(budget.pauses, [7000]);
      assert.equal(h.fake.requestsTo('createBlock').length, 1);
    } finally {
      await h.close();
    }
  });

  test('a Retry-After of a day (seconds or a far date) pauses the shared budget for at most 60 s', async () => {
    const budget = createRecordingBudget();
    const now = Date.parse('2026-04-03T20:00:00Z');
    const h = await startHarness({ client: { budget, now: () => now, maxRetryWaitMs: 5_000 } });
    try {
      h.fake.inject({ kind: 'rateLimit', retryAfter: '86400' }, { route: 'listBlocks' });
      const error = await rejection(() => h.client.listBlocks());
      assert.ok(error instanceof RateLimitedError);
      assert.equal(error.retryAfterMs, 60_000);
      h.fake.inject({ kind: 'rateLimit', retryAfter: 'Fri, 01 Jan 2100 00:00:00 GMT' }, { route: 'listBlocks' });
      const far = await rejection(() => h.client.listBlocks());
      assert.ok(far instanceof RateLimitedError);
      assert.equal(far.retryAfterMs, 60_000);
      // 2^31 ms and more would overflow setTimeout wherever the pause is waited out.
      assert.deepEqual(budget.pauses, [60_000, 60_000]);
    } finally {
      await h.close();
    }
  });

  test('429s beyond maxRetries end in a RateLimitedError with the configured backoff', async () => {
    const h = await startHarness({ client: { maxRetries: 1, rateLimitBackoffMs: 10 } });
    try {
      h.fake.inject({ kind: 'rateLimit' }, { route: 'listBlocks', times: 5 });
      const error = await rejection(() => h.client.listBlocks());
      assert.ok(error instanceof RateLimitedError);
      assert.equal(error.retryAfterMs, 10);
      assert.equal(error.retryAfterFromServer, false);
      assert.equal(h.fake.requestsTo('listBlocks').length, 2);
    } finally {
      await h.close();
    }
  });

  test('a timed-out POST /api/messages is not retried: it may have been delivered', async () => {
    const h = await startHarness({ client: { requestTimeoutMs: 1_000 } });
    try {
      const conversationId = await conversationOf(h);
      await h.client.exchangeToken();
      h.fake.inject({ kind: 'hang' }, { route: 'sendMessage' });
      const error = await rejection(() => h.client.sendMessage({ conversationId, content: 'maybe' }));
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.code, 'TIMEOUT');
      assert.equal(error.status, 0);
      assert.equal(h.fake.requestsTo('sendMessage').length, 1);
    } finally {
      await h.close();
    }
  });

  test('a 5xx or a dropped connection on POST /api/messages is not retried', async () => {
    const h = await startHarness();
    try {
      const conversationId = await conversationOf(h);
      h.fake.inject({ kind: 'status', status: 500, json: { error: { code: 'INTERNAL_ERROR', message: 'boom' } } }, { route: 'sendMessage' });
      const server = await rejection(() => h.client.sendMessage({ conversationId, content: 'a' }));
      assert.ok(server instanceof FluxraApiError && server.code === 'INTERNAL_ERROR' && server.retryable);
      h.fake.inject({ kind: 'drop' }, { route: 'sendMessage' });
      const dropped = await rejection(() => h.client.sendMessage({ conversationId, content: 'b' }));
      assert.ok(dropped instanceof UpstreamError && dropped.code === 'CONNECTION_LOST');
      assert.equal(h.fake.requestsTo('sendMessage').length, 2);
    } finally {
      await h.close();
    }
  });

  test('a hung or dropped GET is retried and succeeds', async () => {
    const h = await startHarness({ client: { requestTimeoutMs: 1_000 } });
    try {
      const conversationId = await conversationOf(h);
      h.fake.inject({ kind: 'hang' }, { route: 'listMessages' });
      h.fake.inject({ kind: 'drop' }, { route: 'listMessages' });
      const page = await h.client.listMessages({ conversationId });
      assert.deepEqual(page.messages, []);
      assert.equal(h.fake.requestsTo('listMessages').length, 3);
    } finally {
      await h.close();
    }
  });

  test('persistent 5xx on a GET stops after maxRetries', async () => {
    const h = await startHarness({ client: { maxRetries: 2 } });
    try {
      h.fake.inject({ kind: 'status', status: 500, text: 'oops' }, { route: 'listBlocks', times: 10 });
      const error = await rejection(() => h.client.listBlocks());
      assert.ok(error instanceof FluxraApiError && error.status === 500);
      assert.equal(h.fake.requestsTo('listBlocks').length, 3);
    } finally {
      await h.close();
    }
  });

  test('latency below the timeout is only a delay', async () => {
    const h = await startHarness();
    try {
      h.fake.inject({ kind: 'latency', ms: 50 }, { route: 'health' });
      assert.equal((await h.client.health()).status, 'healthy');
      assert.equal(h.fake.requestsTo('health').length, 1);
    } finally {
      await h.close();
    }
  });

  test('an unreachable server is retried even for POST /api/messages, maxRetries times', async () => {
    const budget = createRecordingBudget();
    const h = await startHarness({ client: { budget, maxRetries: 2 } });
    let fakeClosed = false;
    try {
      const conversationId = await conversationOf(h);
      await h.client.exchangeToken();
      await h.fake.close();
      fakeClosed = true;
      const error = await rejection(() => h.client.sendMessage({ conversationId, content: 'hi' }));
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.code, 'UNREACHABLE');
      assert.deepEqual(
        budget.scheduled.map((s) => s.label),
        ['fluxra.token', 'fluxra.sendMessage', 'fluxra.sendMessage', 'fluxra.sendMessage'],
      );
    } finally {
      if (fakeClosed) await h.dispatcher.destroy();
      else await h.close();
    }
  });

  test('an aborted signal stops the call before anything is sent', async () => {
    const h = await startHarness();
    try {
      const controller = new AbortController();
      controller.abort();
      await rejection(() => h.client.listBlocks({ signal: controller.signal }));
      assert.equal(h.fake.state.requests.length, 0);
    } finally {
      await h.close();
    }
  });

  test('retries are logged with the route and without any credential', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const h = await startHarness({ client: { logger } });
    try {
      h.fake.inject({ kind: 'status', status: 503, text: 'down' }, { route: 'listBlocks' });
      await h.client.listBlocks();
      const entries = lines.map((line) => JSON.parse(line) as { msg: string; route?: string; status?: number });
      const retry = entries.find((e) => e.msg === 'fluxra server error; retrying');
      assert.equal(retry?.route, 'listBlocks');
      assert.equal(retry?.status, 503);
      const secrets = [h.bridge.apiKey, ...h.fake.state.tokens.keys()];
      assert.ok(lines.every((line) => secrets.every((secret) => !line.includes(secret))));
    } finally {
      await h.close();
    }
  });
});
