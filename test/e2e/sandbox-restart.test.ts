/**
 * Stopping and restarting the sandbox keeps everything: the links (the bridge's on-disk
 * store), the channels' and the conversation's history and the command answers (the
 * simulators' snapshots), and an agent turn still running at the stop, which its agent
 * finishes after the restart. Mirroring carries on without repeating old messages.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type SandboxChild, startSandboxChild } from './sandbox-child.js';

interface Shown {
  id?: string;
  text: string;
  reactions?: string[];
  replies?: Shown[];
}
/** Every message in a pane, thread replies included. */
const all = (messages: Shown[]): Shown[] => messages.flatMap((message) => [message, ...(message.replies ?? [])]);
/** Every message's text in a pane, thread replies included. */
const texts = (messages: Shown[]): string[] => messages.flatMap((message) => [message.text, ...(message.replies ?? []).map((reply) => reply.text)]);
const count = (list: string[], fragment: string): number => list.filter((text) => text.includes(fragment)).length;

async function accepted(sandbox: SandboxChild, pane: 'slack' | 'discord' | 'fluxra', text: string): Promise<void> {
  assert.deepEqual(await sandbox.act(pane, { text }), { ok: true }, `${pane}: ${text}`);
}

test('a restarted sandbox keeps links, history and answers, finishes a running agent turn, and goes on mirroring', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-restart-'));
  // First run: the agent would take a minute, so its turn is still running at the stop.
  let sandbox = await startSandboxChild(dataDir, ['--agent-delay-ms', '60000']);
  try {
    assert.match(sandbox.output(), /First run/);
    await accepted(sandbox, 'slack', '/bridge link new kept');
    const conversationId = await sandbox.waitForView((view) => /conv_[0-9a-f-]+/.exec(view.slack.commands[0]?.answers[0] ?? '')?.[0], 'the new conversation');
    await accepted(sandbox, 'discord', `/bridge link ${conversationId}`);
    await sandbox.waitForView((view) => view.discord.linkedTo === conversationId, 'Discord linked');
    await accepted(sandbox, 'slack', 'said before the restart');
    await sandbox.waitForView(
      (view) => count(texts(view.discord.messages), 'said before the restart') === 1 && count(texts(view.fluxra.messages), 'said before the restart') === 1,
      'the post mirrored',
    );
    await accepted(sandbox, 'slack', '/agent summarise the restart');
    await sandbox.waitForView((view) => view.slack.messages.find((message: { text: string }) => message.text.includes('summarise the restart')), 'the agent request posted');
    assert.equal(await sandbox.stop(), 0);

    sandbox = await startSandboxChild(dataDir, ['--agent-delay-ms', '200']);
    assert.match(sandbox.output(), /Restored the links and history/);
    const view = await sandbox.view();
    assert.equal(view.slack.linkedTo, conversationId);
    assert.equal(view.discord.linkedTo, conversationId);
    assert.equal(count(texts(view.slack.messages), 'said before the restart'), 1);
    assert.equal(count(texts(view.discord.messages), 'said before the restart'), 1);
    assert.equal(count(texts(view.fluxra.messages), 'said before the restart'), 1);
    assert.match(view.slack.commands[0].answers[0], /Created the Fluxra conversation/);
    assert.match(view.discord.commands[0].answers[0], /^Linked\./);

    // The turn left running finishes now, in the thread of the request.
    await sandbox.waitForView(
      (current) =>
        current.slack.messages.find(
          (message: Required<Shown>) => message.text.includes('summarise the restart') && count(texts(message.replies), 'after the sandbox restarted') === 1,
        ),
      'the agent answer after the restart',
    );

    // Still linked both ways, and nothing from before is mirrored again.
    await accepted(sandbox, 'discord', 'said after the restart');
    await sandbox.waitForView(
      (current) => count(texts(current.slack.messages), 'said after the restart') === 1 && count(texts(current.fluxra.messages), 'said after the restart') === 1,
      'the new post mirrored',
    );
    await accepted(sandbox, 'fluxra', 'an agent after the restart');
    await sandbox.waitForView(
      (current) => count(texts(current.slack.messages), 'an agent after the restart') === 1 && count(texts(current.discord.messages), 'an agent after the restart') === 1,
      'the agent post mirrored',
    );
    const last = await sandbox.view();
    assert.equal(count(texts(last.slack.messages), 'said before the restart'), 1);
    assert.equal(count(texts(last.discord.messages), 'said before the restart'), 1);
  } finally {
    const code = await sandbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
    assert.equal(code, 0, sandbox.output());
  }
});

test('Discord reactions are kept across a restart, as Discord keeps them on the message', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-reactions-'));
  let sandbox = await startSandboxChild(dataDir, ['--agent-delay-ms', '200']);
  try {
    await accepted(sandbox, 'discord', '/bridge link new reactions');
    await sandbox.waitForView((view) => view.discord.linkedTo, 'Discord linked');
    // A mention of the bot: the bridge marks its finished answer with a reaction.
    await accepted(sandbox, 'discord', '@bridge keep the reactions');
    const reacted = await sandbox.waitForView((view) => all(view.discord.messages).find((message) => (message.reactions?.length ?? 0) > 0), 'a reaction on Discord');
    assert.equal(await sandbox.stop(), 0);
    const saved = JSON.parse(readFileSync(join(dataDir, 'discord.json'), 'utf8')) as { data: { reactions?: Array<[string, string[]]> } };
    assert.ok(
      saved.data.reactions?.some(([key, emoji]) => key.endsWith(`/${reacted.id}`) && emoji.length > 0),
      'the reactions are saved with the Discord state',
    );

    sandbox = await startSandboxChild(dataDir, ['--agent-delay-ms', '200']);
    const view = await sandbox.view();
    assert.deepEqual(all(view.discord.messages).find((message) => message.id === reacted.id)?.reactions, reacted.reactions, 'the same reactions after the restart');
  } finally {
    const code = await sandbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
    assert.equal(code, 0, sandbox.output());
  }
});
