/**
 * The sandbox shows an agent at work (issue 18): its simulated agent writes intermediate
 * messages and tool calls, and the console's view carries what the platforms would show:
 * Slack's thread status and the streamed answer with its plan of tool steps, Discord's typing
 * and the step list in the status message.
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
  dataDir = mkdtempSync(join(tmpdir(), 'sandbox-progress-'));
  sandbox = await startSandboxChild(dataDir, ['--agent-delay-ms', '6000']);
});

after(async () => {
  const code = await sandbox.stop();
  rmSync(dataDir, { recursive: true, force: true });
  assert.equal(code, 0, sandbox.output());
});

interface Shown {
  text: string;
  replies: Shown[];
  streaming?: boolean;
  tasks?: Array<{ title: string; status: string }>;
  threadStatus?: string;
}

test('Slack: the thread status and the streamed answer with its plan, then the answer in the same message', async () => {
  assert.deepEqual(await sandbox.act('slack', { text: '@bridge show your work' }), { ok: true });
  const root = (view: { slack: { messages: Shown[] } }): Shown | undefined => view.slack.messages.find((message) => message.text.includes('show your work'));
  const working = await sandbox.waitForView(
    (view) => {
      const found = root(view);
      return found?.threadStatus && found.replies.some((reply) => reply.streaming && reply.tasks?.length) ? found : undefined;
    },
    'the status line and the open stream with its plan',
    20_000,
  );
  assert.match(working.threadStatus ?? '', /^fluxra-bridge is /);
  const stream = working.replies.find((reply) => reply.streaming)!;
  assert.match(stream.text, /Reading the request…/);
  assert.match(stream.tasks?.[0]?.title ?? '', /read_file README\.md/);
  const done = await sandbox.waitForView(
    (view) => {
      const found = root(view);
      const answer = found?.replies.find((reply) => reply.tasks?.length && !reply.streaming && reply.text.includes('simulated'));
      return answer && !found?.threadStatus ? answer : undefined;
    },
    'the stream completed with the answer and the status cleared',
    20_000,
  );
  assert.ok(done.tasks?.every((task) => task.status === 'complete'));
});

test('Discord: typing in the thread and the step list in the status message, then done and the answer', async () => {
  assert.deepEqual(await sandbox.act('discord', { text: '@bridge show your steps' }), { ok: true });
  const root = (view: { discord: { messages: Shown[] } }): Shown | undefined => view.discord.messages.find((message) => message.text.includes('show your steps'));
  const working = await sandbox.waitForView(
    (view) => {
      const found = root(view);
      return found?.threadStatus && found.replies.some((reply) => reply.text.includes('• running `')) ? found : undefined;
    },
    'typing and the step list',
    20_000,
  );
  assert.equal(working.threadStatus, 'fluxra-bridge is typing…');
  assert.match(working.replies.find((reply) => reply.text.includes('•'))?.text ?? '', /^claude is working…[^\n]*\n• /);
  await sandbox.waitForView((view) => root(view)?.replies.some((reply) => reply.text.includes('simulated')), 'the answer', 20_000);
});
