/**
 * The fake Blocks server on its own, over raw HTTP: what other people's tests and the
 * rate-budget benchmark rely on (auth, shapes, filters, the sliding window, the log, faults).
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { createFakeBlocks, FAKE_BLOCKS_API_KEY, FAKE_PRIORITY_HEADER, type FakeBlocks, type FakeBlocksOptions } from '../../../src/simulators/blocks.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- wire JSON under test
}

async function withFake(
  options: FakeBlocksOptions,
  run: (
    fake: FakeBlocks,
    call: (method: 'GET' | 'POST', path: string, init?: { auth?: string | null; body?: unknown; headers?: Record<string, string> }) => Promise<Raw>,
  ) => Promise<void>,
) {
  const fake = await createFakeBlocks(options);
  const agent = new Agent();
  const call = async (method: 'GET' | 'POST', path: string, init: { auth?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Promise<Raw> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.auth !== null) headers.authorization = init.auth ?? `ApiKey ${FAKE_BLOCKS_API_KEY}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(`${fake.url}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), dispatcher: agent });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers: res.headers, text, json };
  };
  try {
    await run(fake, call);
  } finally {
    await fake.close();
    await agent.close();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('fake Blocks: auth', () => {
  test('401 without or with a malformed Authorization, 403 with a wrong key, and the key never in the log', async () => {
    await withFake({}, async (fake, call) => {
      assert.equal((await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001', { auth: null })).status, 401);
      assert.equal((await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001', { auth: `Bearer ${FAKE_BLOCKS_API_KEY}` })).status, 401);
      assert.equal((await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001', { auth: 'ApiKey wrong-key-123' })).status, 403);
      assert.equal((await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001')).status, 404);
      assert.deepEqual(
        fake.state.requests.map((r) => [r.authPresent, r.status]),
        [
          [false, 401],
          [true, 401],
          [true, 403],
          [true, 404],
        ],
      );
      const log = JSON.stringify(fake.state.requests);
      assert.ok(!log.includes(FAKE_BLOCKS_API_KEY) && !log.includes('wrong-key-123'));
    });
  });
});

describe('fake Blocks: sessions', () => {
  test('create validates the agent selector and answers the documented shape with foreign-host links', async () => {
    await withFake({ script: { manual: true } }, async (_fake, call) => {
      const none = await call('POST', '/rest/v1/sessions', { body: { message: 'x' } });
      assert.equal(none.status, 400);
      assert.deepEqual(none.json, { error: 'None of agent_id, agent_name, or profile was provided.', code: 'VALIDATION' });
      assert.equal((await call('POST', '/rest/v1/sessions', { body: { message: 'x', agent_name: 'claude', agent_id: '0b7f5a4e-1111-4c2d-9a00-000000000001' } })).status, 400);
      assert.equal((await call('POST', '/rest/v1/sessions', { body: { message: 'x', agent_name: 'gpt' } })).status, 400);
      assert.equal((await call('POST', '/rest/v1/sessions', { body: { message: 'x', agent_id: 'nope' } })).status, 422);

      const ok = await call('POST', '/rest/v1/sessions', { body: { message: 'hello', agent_name: 'claude' } });
      assert.equal(ok.status, 200);
      const s = ok.json;
      assert.match(s.id, UUID);
      assert.match(s.thread_id, UUID);
      assert.deepEqual(s.pull_requests, []);
      assert.equal(s._links.final_message.href, `https://api.prod.blocks.team/rest/v1/sessions/${s.id}/threads/${s.thread_id}/messages?type=final_message&role=assistant`);
      assert.equal(s._links.self.href, `https://api.prod.blocks.team/rest/v1/sessions/${s.id}`);

      const got = await call('GET', `/rest/v1/sessions/${s.id}`);
      assert.equal(got.json.thread_id, null);
      assert.equal(got.json._links.thread, null);
      assert.equal(got.json._links.final_message, null);
      assert.equal((await call('GET', '/rest/v1/sessions/not-a-uuid')).status, 422);
    });
  });

  test('validation status follows the validationStatus option', async () => {
    await withFake({ validationStatus: 422 }, async (_fake, call) => {
      assert.equal((await call('POST', '/rest/v1/sessions', { body: { message: 'x' } })).status, 422);
    });
  });

  test('a follow-up opens a new thread, interrupts the running turn, and returns the user message with links', async () => {
    await withFake({ script: { manual: true, finalWhenInterrupted: '(interrupted)' } }, async (fake, call) => {
      const s = (await call('POST', '/rest/v1/sessions', { body: { message: 'one', agent_name: 'codex' } })).json;
      const f = await call('POST', `/rest/v1/sessions/${s.id}/messages`, { body: { message: 'two' } });
      assert.equal(f.status, 200);
      assert.equal(f.json.role, 'user');
      assert.equal(f.json.type, 'message');
      assert.equal(f.json.message, 'two');
      assert.equal(f.json.chat_id, s.id);
      assert.notEqual(f.json.chat_thread_id, s.thread_id);
      assert.match(f.json._links.final_message.href, /\?type=final_message&role=assistant$/);
      assert.equal(fake.findTurn(s.thread_id)?.turn.status, 'interrupted');
      const old = await call('GET', `/rest/v1/sessions/${s.id}/threads/${s.thread_id}/messages?type=final_message`);
      assert.deepEqual(
        old.json.items.map((m: { message: string }) => m.message),
        ['(interrupted)'],
      );
    });
  });
});

describe('fake Blocks: message lists', () => {
  test('filters with repeated keys, refuses comma lists and bad values, and pages with meta', async () => {
    await withFake({ script: { manual: true, progress: ['p1', 'p2'] } }, async (fake, call) => {
      const s = (await call('POST', '/rest/v1/sessions', { body: { message: 'go', agent_name: 'claude' } })).json;
      fake.completeTurn(s.thread_id, 'final text');
      const base = `/rest/v1/sessions/${s.id}/messages`;
      const defaults = await call('GET', base);
      // Default: assistant message + final_message, including the null-thread notice and the duplicated final text.
      assert.deepEqual(
        defaults.json.items.map((m: { type: string; message: string }) => `${m.type}:${m.message}`),
        ['message:Sandbox is starting up.', 'message:p1', 'message:p2', 'message:final text', 'final_message:final text'],
      );
      assert.equal(defaults.json.items[0].chat_thread_id, null);
      assert.deepEqual(defaults.json.meta, { total: 5, page: 1, limit: 50, total_pages: 1 });
      const finals = await call('GET', `${base}?type=final_message&role=assistant&role=user&thread_id=${s.thread_id}`);
      assert.equal(finals.json.items.length, 1);
      const users = await call('GET', `${base}?type=message&role=user`);
      assert.deepEqual(
        users.json.items.map((m: { message: string; ts: unknown }) => [m.message, m.ts]),
        [['go', null]],
      );
      const paged = await call('GET', `${base}?limit=2&page=2&direction=desc`);
      assert.deepEqual(
        paged.json.items.map((m: { message: string }) => m.message),
        ['p2', 'p1'],
      );
      assert.deepEqual(paged.json.meta, { total: 5, page: 2, limit: 2, total_pages: 3 });
      for (const bad of ['type=message,final_message', 'type=nope', 'role=bot', 'direction=up', 'limit=0', 'limit=101', 'page=0', 'gts=abc', 'thread_id=x']) {
        assert.equal((await call('GET', `${base}?${bad}`)).status, 422, bad);
      }
      // The bracket form is ignored: defaults come back.
      assert.equal((await call('GET', `${base}?type[]=tool_call`)).json.items.length, 5);
    });
  });

  test('older deployments refuse a repeated role', async () => {
    await withFake({ singleRoleOnly: true, script: { manual: true } }, async (_fake, call) => {
      const s = (await call('POST', '/rest/v1/sessions', { body: { message: 'go', agent_name: 'claude' } })).json;
      assert.equal((await call('GET', `/rest/v1/sessions/${s.id}/messages?role=user&role=assistant`)).status, 422);
      assert.equal((await call('GET', `/rest/v1/sessions/${s.id}/messages?role=user`)).status, 200);
    });
  });

  test('gts is strictly greater, new_messages keeps only gts, and an empty page carries the current second', async () => {
    const clock = { now: 1_777_573_300_000 };
    await withFake({ now: () => clock.now, script: { manual: true } }, async (fake, call) => {
      const s = (await call('POST', '/rest/v1/sessions', { body: { message: 'go', agent_name: 'claude' } })).json;
      const path = `/rest/v1/sessions/${s.id}/threads/${s.thread_id}/messages`;
      const empty = await call('GET', `${path}?type=message&type=final_message&limit=100`);
      assert.deepEqual(empty.json.items, []);
      assert.equal(empty.json._links.new_messages.href, `https://api.prod.blocks.team${path}?gts=1777573300`);
      assert.equal(empty.json._links.self.href, `https://api.prod.blocks.team${path}`);
      clock.now += 2_418;
      fake.completeTurn(s.thread_id, 'answer');
      const page = await call('GET', `${path}?type=final_message&gts=1777573300`);
      assert.equal(page.json.items.length, 1);
      const ts: number = page.json.items[0].ts;
      assert.equal(ts, 1777573302.419);
      assert.equal(page.json._links.new_messages.href, `https://api.prod.blocks.team${path}?gts=1777573302.419`);
      assert.equal((await call('GET', `${path}?type=final_message&gts=${ts}`)).json.items.length, 0);
      assert.equal((await call('GET', `${path}?type=final_message&gts=${ts - 0.001}`)).json.items.length, 1);
    });
  });

  test('tool calls come back only when asked for, JSON-encoded with __name__', async () => {
    await withFake({ script: { manual: true, toolCalls: [{ name: 'bash', input: 'ls' }] } }, async (fake, call) => {
      const s = (await call('POST', '/rest/v1/sessions', { body: { message: 'go', agent_name: 'claude' } })).json;
      fake.completeTurn(s.thread_id);
      const all = await call('GET', `/rest/v1/sessions/${s.id}/messages?type=tool_call`);
      assert.deepEqual(JSON.parse(all.json.items[0].message), { __name__: 'bash', input: 'ls' });
      const defaults = await call('GET', `/rest/v1/sessions/${s.id}/messages`);
      assert.ok(defaults.json.items.every((m: { type: string }) => m.type !== 'tool_call'));
    });
  });

  test('an unknown thread is 404 on the threaded URL and an empty page on the session URL', async () => {
    await withFake({}, async (_fake, call) => {
      const s = (await call('POST', '/rest/v1/sessions', { body: { message: 'go', agent_name: 'claude' } })).json;
      const other = '5e1d2c3b-2222-4f00-8b00-000000000002';
      assert.equal((await call('GET', `/rest/v1/sessions/${s.id}/threads/${other}/messages`)).status, 404);
      const page = await call('GET', `/rest/v1/sessions/${s.id}/messages?thread_id=${other}`);
      assert.equal(page.status, 200);
      assert.deepEqual(page.json.items, []);
    });
  });
});

describe('fake Blocks: sliding window and arrival log', () => {
  test('the 101st request in any 60 s is answered 429 whatever the others answered, and counted as a violation', async () => {
    const clock = { now: 1_000_000 };
    await withFake({ now: () => clock.now }, async (fake, call) => {
      for (let i = 0; i < 100; i += 1) {
        clock.now += 500;
        // Failing requests (404 here) count like any other.
        assert.equal((await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001')).status, 404);
      }
      clock.now = 1_000_500 + 59_999;
      const refused = await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001');
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.equal(fake.state.violations, 1);
      assert.equal(fake.maxInAnyWindow(60_000), 101);
      // A window after the last refused arrival, everything has aged out.
      clock.now += 60_000;
      assert.equal((await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001')).status, 404);
      assert.equal(fake.state.violations, 1);
    });
  });

  test('the window length and limit are configurable for compressed benchmarks', async () => {
    const clock = { now: 0 };
    await withFake({ now: () => clock.now, limit: 2, windowMs: 100, retryAfterOnLimit: false }, async (fake, call) => {
      const statuses = [];
      // Refused arrivals count too: 20 keeps 100 out; 100 ages out only after 200.
      for (const t of [0, 10, 20, 100, 120, 221]) {
        clock.now = t;
        statuses.push((await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001')).status);
      }
      assert.deepEqual(statuses, [404, 404, 429, 429, 404, 404]);
      assert.equal(fake.state.violations, 2);
      assert.equal(fake.maxInAnyWindow(), 3);
      fake.resetLog();
      assert.deepEqual([fake.state.requests.length, fake.state.violations], [0, 0]);
    });
  });

  test('the log records method, path, raw query, priority header, arrival time and status', async () => {
    const clock = { now: 42_000 };
    await withFake({ now: () => clock.now }, async (fake, call) => {
      await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001/messages?type=message&type=final_message', { headers: { [FAKE_PRIORITY_HEADER]: 'background' } });
      assert.deepEqual(fake.state.requests[0], {
        seq: 1,
        method: 'GET',
        path: '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001/messages',
        query: 'type=message&type=final_message',
        priority: 'background',
        arrivalMs: 42_000,
        status: 404,
        authPresent: true,
      });
    });
  });
});

describe('fake Blocks: faults', () => {
  test('injected faults hit the next N matching requests only, then normal service resumes', async () => {
    await withFake({}, async (fake, call) => {
      fake.inject({ type: 'respond', status: 503, body: 'maintenance', path: /\/messages$/, times: 2 });
      fake.inject({ type: 'rate-limit', retryAfterSeconds: 7, method: 'POST' });
      fake.inject({ type: 'latency', ms: 5, method: 'POST' });
      const limited = await call('POST', '/rest/v1/sessions', { body: { message: 'x', agent_name: 'claude' } });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers['retry-after'], '7');
      const slow = await call('POST', '/rest/v1/sessions', { body: { message: 'x', agent_name: 'claude' } });
      assert.equal(slow.status, 200);
      const messages = `/rest/v1/sessions/${slow.json.id}/messages`;
      const down = await call('GET', messages);
      assert.equal(down.status, 503);
      assert.equal(down.text, 'maintenance');
      assert.match(String(down.headers['content-type']), /^text\/plain/);
      assert.equal((await call('GET', messages)).status, 503);
      assert.equal((await call('GET', messages)).status, 200);
      assert.equal(fake.pendingFaults(), 0);
      assert.deepEqual(
        fake.state.requests.map((r) => r.fault ?? '-'),
        ['rate-limit', 'latency', 'respond', 'respond', '-'],
      );
    });
  });

  test('a 429 may carry Retry-After as an HTTP date, or none at all', async () => {
    const clock = { now: Date.parse('2026-04-30T18:21:00.000Z') };
    await withFake({ now: () => clock.now }, async (_fake, call) => {
      _fake.inject({ type: 'rate-limit', retryAfterSeconds: 5, retryAfterAs: 'date' });
      _fake.inject({ type: 'rate-limit' });
      assert.equal((await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001')).headers['retry-after'], 'Thu, 30 Apr 2026 18:21:05 GMT');
      const bare = await call('GET', '/rest/v1/sessions/0b7f5a4e-1111-4c2d-9a00-000000000001');
      assert.equal(bare.status, 429);
      assert.equal(bare.headers['retry-after'], undefined);
    });
  });

  test('a dropped connection fails the request and a hung one is released by close()', async () => {
    const fake = await createFakeBlocks();
    const agent = new Agent();
    try {
      fake.inject({ type: 'drop' });
      await assert.rejects(request(`${fake.url}/rest/v1/sessions`, { dispatcher: agent, headers: { authorization: `ApiKey ${fake.apiKey}` } }));
      fake.inject({ type: 'hang' });
      const hung = request(`${fake.url}/rest/v1/sessions`, { dispatcher: agent, headers: { authorization: `ApiKey ${fake.apiKey}` } });
      // Wait until the fake has the request, then close it under the client's feet.
      while (fake.state.requests.length < 2) await new Promise((resolve) => setImmediate(resolve));
      await fake.close();
      await assert.rejects(hung);
      assert.deepEqual(
        fake.state.requests.map((r) => [r.fault, r.status]),
        [
          ['drop', 0],
          ['hang', 0],
        ],
      );
    } finally {
      await agent.close();
    }
  });
});

describe('fake Blocks: artifacts and pull requests', () => {
  test('serves artifacts of the session only, and pull requests in both shapes', async () => {
    await withFake({ script: { manual: true, pullRequests: ['https://github.com/a/b/pull/1', { url: 'https://github.com/a/b/pull/2', status: 'open' }] } }, async (fake, call) => {
      const s = (await call('POST', '/rest/v1/sessions', { body: { message: 'go', agent_name: 'claude' } })).json;
      const artifact = fake.addArtifact(s.id);
      const read = await call('GET', `/rest/v1/sessions/${s.id}/artifacts/${artifact.id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(Object.keys(read.json).sort(), ['created_at', 'file_name', 'file_path', 'file_size_in_kb', 'id', 'kind', 'mime_type', 'plan_id', 'url']);
      const other = (await call('POST', '/rest/v1/sessions', { body: { message: 'go', agent_name: 'claude' } })).json;
      assert.equal((await call('GET', `/rest/v1/sessions/${other.id}/artifacts/${artifact.id}`)).status, 404);
      fake.completeTurn(s.thread_id);
      const session = await call('GET', `/rest/v1/sessions/${s.id}`);
      assert.deepEqual(session.json.pull_requests, ['https://github.com/a/b/pull/1', { url: 'https://github.com/a/b/pull/2', status: 'open' }]);
      assert.deepEqual(session.json.plan_artifact_ids, [artifact.id]);
    });
  });
});
