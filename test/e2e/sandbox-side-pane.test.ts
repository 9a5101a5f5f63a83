/**
 * Slack's AI side pane in the sandbox (`npm run sandbox` in a child process): opening a pane
 * chat shows the suggested prompts the bridge set; a prompt gets a title, the "is thinking…"
 * status, and the agent's answer in the pane's thread; a follow-up is answered there too.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type SandboxChild, startSandboxChild } from './sandbox-child.js';

let dataDir: string;
let sandbox: SandboxChild;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sandbox-side-pane-'));
  sandbox = await startSandboxChild(dataDir, ['--agent-delay-ms', '300']);
});

after(async () => {
  const code = await sandbox?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  assert.equal(code, 0, sandbox?.output());
});

interface PaneThread {
  threadTs: string;
  title?: string;
  status?: string;
  prompts: Array<{ title: string; message: string }>;
  messages: Array<{ author: string; kind: string; text: string }>;
}

async function sidePane(path: string, body: Record<string, unknown>): Promise<{ ok: boolean; error?: string }> {
  const response = await fetch(`${sandbox.url}/api/side-pane${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await response.json()) as { ok: boolean; error?: string };
}

const newest = (view: { sidePane: { threads: PaneThread[] } }): PaneThread | undefined => view.sidePane.threads[0];

test('the console shows the side pane: prompts, then a titled private session answering in its thread, and a follow-up', async () => {
  assert.deepEqual(await sidePane('/open', {}), { ok: true });
  const opened = await sandbox.waitForView((view) => (newest(view)?.prompts.length ? newest(view) : undefined), 'the suggested prompts');
  assert.ok(opened.prompts.length >= 2 && opened.prompts.length <= 4, JSON.stringify(opened.prompts));
  assert.equal(opened.messages.length, 0);

  const prompt = opened.prompts[1]!;
  assert.deepEqual(await sidePane('', { text: prompt.message, thread: opened.threadTs }), { ok: true });
  const answered = await sandbox.waitForView(
    (view) => {
      const thread = newest(view);
      return thread?.title && thread.messages.some((m) => m.kind === 'bridge' && /simulated/i.test(m.text)) ? thread : undefined;
    },
    'the title and the answer in the pane thread',
    45_000,
  );
  assert.equal(answered.threadTs, opened.threadTs);
  assert.ok(prompt.message.startsWith(answered.title!.replace(/…$/, '')), `${answered.title} from ${prompt.message}`);
  assert.equal(answered.status, undefined, 'the answer cleared the status');

  assert.deepEqual(await sidePane('', { text: 'and say it shorter', thread: opened.threadTs }), { ok: true });
  await sandbox.waitForView(
    (view) => {
      const messages = newest(view)?.messages ?? [];
      const asked = messages.findIndex((m) => m.text === 'and say it shorter');
      return asked >= 0 && messages.slice(asked + 1).some((m) => m.kind === 'bridge' && /simulated/i.test(m.text));
    },
    'the follow-up answer in the same thread',
    45_000,
  );
  const view = await sandbox.view();
  assert.equal(view.sidePane.threads.length, 1, 'one pane chat');
  // The pane's session is not the channel's business: #sandbox shows nothing of it.
  assert.ok(!JSON.stringify(view.slack.messages).includes('and say it shorter'));
});

test('New chat opens a second pane chat; writing in an unknown chat, or nothing, is refused', async () => {
  assert.deepEqual(await sidePane('/open', {}), { ok: true });
  await sandbox.waitForView((view) => view.sidePane.threads.length === 2, 'a second chat');
  const refused = await sidePane('', { text: 'hello', thread: '1.000000' });
  assert.equal(refused.ok, false);
  assert.match(refused.error ?? '', /gone/);
  assert.equal((await sidePane('', { text: '' })).ok, false);
});
