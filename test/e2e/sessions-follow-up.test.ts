/**
 * A follow-up POST that Blocks processed but answered with a 5xx (here: a loopback proxy in
 * front of the fake forwards the POST, then replaces the answer with a 502) is not resent:
 * the engine finds it among the session's user messages and polls its turn.
 */

import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { eventually, startSessionsRig } from './sessions-harness.js';

const CHANNEL = 'C0FOLLOW';

/** Forwards everything to the fake; the next `failPosts` follow-up POSTs are forwarded and then answered 502. */
async function startProxy(target: string, state: { failPosts: number }): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => {
          if (req.method === 'POST' && /\/messages$/.test(req.url ?? '') && state.failPosts > 0) {
            state.failPosts -= 1;
            res.writeHead(502, { 'content-type': 'text/plain' });
            res.end('bad gateway');
            return;
          }
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          res.end(Buffer.concat(body));
        });
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('a follow-up that Blocks processed behind a 5xx is found, not resent, and answered', async () => {
  const failures = { failPosts: 0 };
  let proxy: Server | undefined;
  const rig = await startSessionsRig({
    platform: 'slack',
    blocks: { script: (ctx) => (ctx.turnIndex === 0 ? { manual: true } : { delayMs: 50, final: `Follow-up done: ${ctx.prompt}` }) },
    blocksUrl: async (fake) => {
      const started = await startProxy(fake.url, failures);
      proxy = started.server;
      return started.url;
    },
  });
  try {
    const slack = rig.slack!.fake;
    const root = slack.userMessage({ channel: CHANNEL, user: 'UADA', text: `<@${slack.botUserId}> write the docs` });
    await slack.deliverEvent(root);
    const rootTs = String(root['ts']);
    const inThread = () => slack.state.history(CHANNEL).filter((m) => m.threadTs === rootTs);
    await eventually(() => inThread().find((m) => m.text.startsWith('claude is working')), 'the status');

    failures.failPosts = 1;
    await slack.deliverEvent(slack.userMessage({ channel: CHANNEL, user: 'UADA', text: 'only the README', threadTs: rootTs }));
    await eventually(() => inThread().find((m) => m.text === 'Follow-up done: only the README'), 'the follow-up answer');

    const session = [...rig.blocks.state.sessions.values()][0]!;
    const posts = rig.blocks.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
    assert.equal(posts.length, 1, 'the follow-up reached Blocks once: it was not resent');
    assert.equal(session.turns.length, 2);
    assert.ok(
      rig.blocks.state.requests.some((r) => r.method === 'GET' && r.path.endsWith('/messages') && r.query.includes('role=user')),
      'the session was checked',
    );
    assert.ok(inThread().some((m) => /earlier turn was still running/.test(m.text)));
  } finally {
    await rig.close();
    proxy?.closeAllConnections();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  }
});
