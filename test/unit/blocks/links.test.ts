import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { createLogger } from '../../../src/core/logger.js';
import { BlocksApiError, extractGts, rebaseBlocksLink } from '../../../src/services/blocks/index.js';
import { startHarness } from './harness.js';

const S = '0b7f5a4e-1111-4c2d-9a00-000000000001';
const T = '5e1d2c3b-2222-4f00-8b00-000000000002';

/** A second local server standing in for a foreign host: it must never be contacted. */
async function startBystander(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"items":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('rebaseBlocksLink', () => {
  test('keeps path and query and swaps a foreign origin for the configured one', () => {
    const href = `https://api.prod.blocks.team/rest/v1/sessions/${S}/threads/${T}/messages?type=final_message&role=assistant`;
    const link = rebaseBlocksLink(href, 'https://api.blocks.team');
    assert.equal(link.url.toString(), `https://api.blocks.team/rest/v1/sessions/${S}/threads/${T}/messages?type=final_message&role=assistant`);
    assert.equal(link.sessionId, S);
    assert.equal(link.threadId, T);
    assert.equal(link.kind, 'messages');
  });

  test('keeps a path prefix of the configured base and is idempotent', () => {
    const once = rebaseBlocksLink(`https://elsewhere.example/rest/v1/sessions/${S}/messages?gts=1.5`, 'http://127.0.0.1:9000/blocks');
    assert.equal(once.url.toString(), `http://127.0.0.1:9000/blocks/rest/v1/sessions/${S}/messages?gts=1.5`);
    const twice = rebaseBlocksLink(once.url.toString(), 'http://127.0.0.1:9000/blocks');
    assert.equal(twice.url.toString(), once.url.toString());
  });

  test('accepts the session self path only when asked', () => {
    const href = `https://api.prod.blocks.team/rest/v1/sessions/${S}`;
    assert.throws(() => rebaseBlocksLink(href, 'https://api.blocks.team'), { code: 'BAD_LINK' });
    assert.equal(rebaseBlocksLink(href, 'https://api.blocks.team', { allow: ['session'] }).kind, 'session');
  });

  test('refuses paths that are not Blocks message lists, other sessions and non-http schemes', () => {
    const bad = [
      'https://evil.example/steal',
      `https://api.blocks.team/rest/v1/sessions/${S}/artifacts/${T}`,
      `https://api.blocks.team/rest/v1/sessions/${S}/messages/extra`,
      `https://api.blocks.team/rest/v1/sessions/not-a-uuid/messages`,
      `https://api.blocks.team/rest/v1/sessions/${S}/../${S}/x/messages`,
      `javascript:alert(1)`,
      `file:///rest/v1/sessions/${S}/messages`,
      '',
    ];
    for (const href of bad) {
      assert.throws(
        () => rebaseBlocksLink(href, 'https://api.blocks.team'),
        (error: unknown) => {
          assert.ok(error instanceof BlocksApiError, href);
          assert.equal(error.code, 'BAD_LINK');
          assert.equal(error.retryable, false);
          return true;
        },
      );
    }
    assert.throws(() => rebaseBlocksLink(`https://api.blocks.team/rest/v1/sessions/${S}/messages`, 'https://api.blocks.team', { sessionId: T }), /another session/);
  });

  test('extracts gts as the exact string of the link', () => {
    assert.equal(extractGts(`https://api.prod.blocks.team/rest/v1/sessions/${S}/messages?gts=1777573302.4180`), '1777573302.4180');
    assert.equal(extractGts(`https://x/rest?type=message`), undefined);
    assert.equal(extractGts(undefined), undefined);
  });
});

describe('links from the API', () => {
  test('a foreign _links host is never contacted: polls go to the configured origin', async () => {
    const bystander = await startBystander();
    const h = await startHarness({ linkOrigin: bystander.url });
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      assert.ok(created.finalMessageUrl.startsWith(`${h.fake.url}/`));
      h.fake.completeTurn(created.threadId!, 'done');
      assert.equal((await h.client.pollFinalMessage(created.turn))?.message, 'done');
      const turn = await h.client.sendFollowUp(created.id, { message: 'more' });
      assert.ok(turn.finalMessageUrl.startsWith(`${h.fake.url}/`));
      await h.client.pollFinalMessage(turn);
      const page = await h.client.listMessages({ sessionId: created.id });
      await h.client.listMessages({ sessionId: created.id, gts: page.newMessagesGts! });
      assert.deepEqual(bystander.hits, []);
      assert.equal(h.fake.state.requests.length, 6);
    } finally {
      await h.close();
      await bystander.close();
    }
  });

  test('a stored turn URL on another host is rebased before use, so the key stays home', async () => {
    const bystander = await startBystander();
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      const moved = { ...created.turn, finalMessageUrl: created.finalMessageUrl.replace(h.fake.url, bystander.url) };
      assert.equal(await h.client.pollFinalMessage(moved), undefined);
      assert.deepEqual(bystander.hits, []);
      assert.equal(h.fake.state.requests.at(-1)?.path, `/rest/v1/sessions/${created.id}/threads/${created.threadId}/messages`);
    } finally {
      await h.close();
      await bystander.close();
    }
  });

  test('a turn URL with a bad path is refused before anything is sent', async () => {
    const bystander = await startBystander();
    const h = await startHarness();
    try {
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      const sent = h.fake.state.requests.length;
      for (const finalMessageUrl of [`${bystander.url}/steal?key=1`, `${h.fake.url}/rest/v1/sessions/${created.id}`, `${h.fake.url}/rest/v1/sessions/${S}/messages`]) {
        await assert.rejects(h.client.pollFinalMessage({ ...created.turn, finalMessageUrl }), { code: 'BAD_LINK' });
      }
      assert.equal(h.fake.state.requests.length, sent);
      assert.equal(h.budget.scheduled.length, sent);
      assert.deepEqual(bystander.hits, []);
    } finally {
      await h.close();
      await bystander.close();
    }
  });

  test('a create response whose final_message link has a bad path is not used: the fallback URL is', async () => {
    const bystander = await startBystander();
    const h = await startHarness();
    try {
      h.fake.inject({
        type: 'respond',
        status: 200,
        method: 'POST',
        body: {
          id: S,
          title: 't',
          pull_requests: [],
          thread_id: T,
          session_html_url: `https://blocks.team/app/w/sessions/${S}`,
          _links: {
            self: { href: `${bystander.url}/rest/v1/sessions/${S}` },
            final_message: { href: `${bystander.url}/collect?session=${S}` },
            messages: { href: `${bystander.url}/rest/v1/sessions/${T}/messages` },
          },
        },
      });
      const created = await h.client.createSession({ message: 'x', agentName: 'claude' });
      assert.equal(created.turn.finalMessageUrlIsFallback, true);
      assert.equal(created.finalMessageUrl, `${h.fake.url}/rest/v1/sessions/${S}/messages?type=final_message&role=assistant&thread_id=${T}`);
      // The messages link named another session: dropped. The self link was rebased.
      assert.equal(created.links.messages, undefined);
      assert.equal(created.links.self, `${h.fake.url}/rest/v1/sessions/${S}`);
      assert.deepEqual(bystander.hits, []);
    } finally {
      await h.close();
      await bystander.close();
    }
  });

  test('a refused link is logged as a warning without the key or the foreign URL query', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(line) } });
    const h = await startHarness({}, { logger });
    try {
      h.fake.inject({
        type: 'respond',
        status: 200,
        method: 'POST',
        body: { id: S, thread_id: T, _links: { final_message: { href: `https://evil.example/x?token=${h.fake.apiKey}` } } },
      });
      await h.client.createSession({ message: 'x', agentName: 'claude' });
      const entries = lines.map((line) => JSON.parse(line) as { level: number; msg: string; link?: string });
      const ignored = entries.find((entry) => entry.msg.startsWith('ignoring a Blocks link'));
      assert.equal(ignored?.level, 40);
      assert.equal(ignored?.link, 'final_message');
      assert.ok(entries.some((entry) => entry.msg.includes('session-level fallback')));
      assert.ok(!lines.join('').includes(h.fake.apiKey));
    } finally {
      await h.close();
    }
  });
});
