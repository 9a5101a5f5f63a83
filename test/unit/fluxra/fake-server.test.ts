/**
 * The fake itself, spoken to over raw HTTP (no client), for the behaviours the client tests
 * do not show: what the wire looks like.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { createFakeFluxra, type FakeFluxra } from '../../../src/simulators/fluxra.js';

interface RawInit {
  method?: string;
  auth?: string;
  json?: unknown;
}

type Call = (path: string, init?: RawInit) => Promise<{ status: number; contentType: string; text: string }>;

async function withFake(run: (fake: FakeFluxra, call: Call) => Promise<void>, options: Parameters<typeof createFakeFluxra>[0] = {}): Promise<void> {
  const fake = await createFakeFluxra(options);
  const dispatcher = new Agent();
  const call: Call = (path, init = {}) => raw(dispatcher, fake.url, path, init);
  try {
    await run(fake, call);
  } finally {
    await dispatcher.destroy();
    await fake.close();
  }
}

async function raw(dispatcher: Agent, base: string, path: string, init: RawInit) {
  const headers: Record<string, string> = {};
  if (init.auth) headers['authorization'] = init.auth;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${base}${path}`, {
    dispatcher,
    method: (init.method ?? 'GET') as 'GET',
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: res.statusCode, contentType: String(res.headers['content-type']), text: await res.body.text() };
}

const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

describe('fake fluxra server', () => {
  test('an expired JWT gets a plain-text 401, as the documented middleware caveat says', async () => {
    let clock = Date.now();
    await withFake(
      async (fake, call) => {
        const agent = fake.createAgent();
        const token = await call('/api/auth/token', { method: 'POST', auth: basic(agent.agentId, agent.apiKey), json: { grant_type: 'client_credentials' } });
        assert.equal(token.status, 200);
        const body = JSON.parse(token.text) as { access_token: string; expires_in: number; token_type: string };
        assert.equal(body.expires_in, 60);
        assert.equal(body.token_type, 'Bearer');
        assert.equal((await call('/api/blocks', { auth: `Bearer ${body.access_token}` })).status, 200);
        clock += 61_000;
        const expired = await call('/api/blocks', { auth: `Bearer ${body.access_token}` });
        assert.equal(expired.status, 401);
        assert.match(expired.contentType, /^text\/plain/);
        assert.match(expired.text, /expired/);
        assert.throws(() => JSON.parse(expired.text));
      },
      { tokenLifetimeSeconds: 60, now: () => clock },
    );
  });

  test('the request record keeps only the scheme word of Authorization, plus method, path, query, body and arrival time', async () => {
    await withFake(async (fake, call) => {
      const agent = fake.createAgent();
      const before = Date.now();
      await call('/api/auth/token?x=1', { method: 'POST', auth: basic(agent.agentId, agent.apiKey), json: { grant_type: 'client_credentials' } });
      const [record] = fake.state.requests;
      assert.equal(record?.method, 'POST');
      assert.equal(record?.path, '/api/auth/token');
      assert.deepEqual(record?.query, { x: '1' });
      assert.equal(record?.headers['authorization'], 'Basic');
      assert.deepEqual(record?.body, { grant_type: 'client_credentials' });
      assert.equal(record?.route, 'token');
      assert.equal(record?.status, 200);
      assert.ok(record !== undefined && record.at >= before);
      assert.ok(!JSON.stringify(fake.state.requests).includes(agent.apiKey));
    });
  });

  test('API keys can only be created for the agent in the Basic header', async () => {
    await withFake(async (fake, call) => {
      const a = fake.createAgent();
      const b = fake.createAgent();
      const res = await call(`/api/agents/${b.agentId}`, { method: 'POST', auth: basic(a.agentId, a.recoveryKey), json: { name: 'x' } });
      assert.equal(res.status, 403);
      assert.deepEqual(JSON.parse(res.text), { error: { code: 'FORBIDDEN', message: 'agent_id does not match the credentials' } });
      const badName = await call(`/api/agents/${a.agentId}`, { method: 'POST', auth: basic(a.agentId, a.recoveryKey), json: { name: '' } });
      assert.equal(JSON.parse(badName.text).error.code, 'INVALID_KEY_NAME');
    });
  });

  test('register validates agent_name against the documented pattern', async () => {
    await withFake(async (_fake, call) => {
      const res = await call('/api/auth/register', { method: 'POST', json: { agent_name: 'no spaces allowed' } });
      assert.equal(res.status, 400);
      assert.equal(JSON.parse(res.text).error.code, 'INVALID_REQUEST');
    });
  });

  test('a fault for any route applies to the next N requests whatever they are, then stops', async () => {
    await withFake(async (fake, call) => {
      fake.inject({ kind: 'status', status: 503, text: 'maintenance', headers: { 'x-fault': 'yes' } }, { times: 2 });
      assert.equal((await call('/health')).status, 503);
      assert.equal((await call('/api/blocks')).text, 'maintenance');
      assert.equal((await call('/health')).status, 200);
    });
  });

  test('a message cursor is the resume point even when no message follows it', async () => {
    await withFake(async (fake, call) => {
      const agent = fake.createAgent();
      const conversation = fake.createConversation({ creatorId: agent.agentId });
      fake.postAs(agent.agentId, { conversationId: conversation.conversationId, content: 'one' });
      const tokenRes = await call('/api/auth/token', { method: 'POST', auth: basic(agent.agentId, agent.apiKey), json: { grant_type: 'client_credentials' } });
      const auth = `Bearer ${(JSON.parse(tokenRes.text) as { access_token: string }).access_token}`;
      const path = `/api/conversations/${conversation.conversationId}/messages`;
      const first = JSON.parse((await call(path, { auth })).text) as { cursor: string; has_more: boolean; messages: unknown[] };
      assert.equal(first.messages.length, 1);
      const empty = JSON.parse((await call(`${path}?cursor=${first.cursor}`, { auth })).text) as { cursor: string; messages: unknown[] };
      assert.deepEqual(empty.messages, []);
      assert.equal(empty.cursor, first.cursor);
      fake.postAs(agent.agentId, { conversationId: conversation.conversationId, content: 'two' });
      const next = JSON.parse((await call(`${path}?cursor=${empty.cursor}`, { auth })).text) as { messages: Array<{ content: string }> };
      assert.deepEqual(
        next.messages.map((m) => m.content),
        ['two'],
      );
      const bad = await call(`${path}?cursor=garbage`, { auth });
      assert.equal(bad.status, 400);
    });
  });
});
