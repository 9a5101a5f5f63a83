/**
 * What the bridge answers in the sandbox, as the simulated Slack and Discord received it:
 * every command answer and every post of the bridge's own names people and channels in the
 * platform's mention syntax (`<@U…>`, `<#C…>`; `<@…>`, `<#…>`), which the platforms show as
 * names, never as a bare ID. And posting as an agent that the bridge blocked is a refusal
 * the console shows (HTTP 400 with Fluxra's reason), not a sandbox failure (500, error log).
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DISCORD_APPLICATION_ID, DISCORD_CHANNEL, DISCORD_GUILD_ID, DISCORD_PERSON, SLACK_CHANNEL, SLACK_PERSON } from '../../src/sandbox/identities.js';
import { type SandboxChild, startSandboxChild } from './sandbox-child.js';

let dataDir: string;
let sandbox: SandboxChild;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sandbox-answers-'));
  sandbox = await startSandboxChild(dataDir, ['--agent-delay-ms', '300']);
});

after(async () => {
  const code = await sandbox.stop();
  rmSync(dataDir, { recursive: true, force: true });
  assert.equal(code, 0, sandbox.output());
});

/** The IDs of the sandbox's people and channels, and any Slack- or Discord-shaped ID. */
const KNOWN_IDS = [SLACK_CHANNEL.id, SLACK_PERSON.id, DISCORD_CHANNEL.id, DISCORD_PERSON.id, DISCORD_GUILD_ID, DISCORD_APPLICATION_ID];
const ID_SHAPES = [/\b[CGUWB][A-Z0-9]{7,}\b/, /\b\d{15,22}\b/];

/** The IDs left in `text` once its mentions (`<@…>`, `<#…>`, `<@!…>`) are taken out. */
export function bareIds(text: string): string[] {
  const outside = text.replace(/<[@#]!?[A-Z0-9]+(\|[^>]*)?>/g, ' ');
  return [...KNOWN_IDS.filter((id) => outside.includes(id)), ...ID_SHAPES.flatMap((shape) => shape.exec(outside)?.[0] ?? [])];
}

async function command(pane: 'slack' | 'discord', text: string): Promise<string> {
  assert.deepEqual(await sandbox.act(pane, { text }), { ok: true }, `${pane}: ${text}`);
  return sandbox.waitForView((view) => {
    const entry = [...view[pane].commands].reverse().find((candidate: { typed: string }) => candidate.typed === text);
    return entry?.answers.length ? (entry.answers.join('\n') as string) : undefined;
  }, `the answer to ${text}`);
}

test('the helper finds bare IDs and lets mentions be', () => {
  assert.deepEqual(bareIds('linked by <@U0SBXADA> in <#C0SANDBOX|sandbox> and <#910000000000000101>'), []);
  assert.deepEqual(bareIds('by U0SBXADA'), ['U0SBXADA', 'U0SBXADA']);
  assert.deepEqual(bareIds('Discord channel `910000000000000101`'), ['910000000000000101', '910000000000000101']);
});

test('every answer and post of the bridge names people and channels by mention, not by bare ID', async () => {
  const answers: string[] = [];
  const created = await command('slack', '/bridge link new answers');
  answers.push(created);
  const conversationId = /conv_[0-9a-f-]+/.exec(created)?.[0] ?? '';
  assert.ok(conversationId, created);
  answers.push(await command('discord', `/bridge link ${conversationId}`));
  answers.push(await command('slack', '/bridge status'));
  answers.push(await command('discord', '/bridge status'));
  answers.push(await command('slack', '/bridge help'));
  answers.push(await command('slack', '/agent'));
  answers.push(await command('slack', '/block list'));
  answers.push(await command('slack', '/bridge link agent claude'));
  answers.push(await command('slack', '/bridge status'));
  answers.push(await command('slack', '/bridge unlink agent'));
  // A mention of the bot starts a session: the bridge's own posts in the thread count too.
  assert.deepEqual(await sandbox.act('slack', { text: '@bridge say hello' }), { ok: true });
  const mentioned = await sandbox.waitForView(
    (view) =>
      view.slack.messages.find(
        (message: { text: string; replies: Array<{ text: string }> }) => message.text.includes('say hello') && message.replies.some((reply) => reply.text.includes('simulated')),
      ),
    'the agent answering the mention',
  );
  assert.match(mentioned.text, /^<@U[A-Z0-9]+> say hello$/, 'the console sent @bridge as Slack sends a mention');
  answers.push(await command('discord', '/bridge unlink'));

  const view = await sandbox.view();
  interface Shown {
    kind: string;
    text: string;
    replies: Shown[];
  }
  const bridgePosts = (messages: Shown[]): string[] =>
    messages
      .flatMap((message) => [message, ...message.replies])
      .filter((message) => message.kind === 'bridge')
      .map((message) => message.text);
  const everything = [...answers, ...bridgePosts(view.slack.messages), ...bridgePosts(view.discord.messages)];
  assert.ok(everything.length >= answers.length + 2, 'the bridge posted in the channels as well');
  for (const text of everything) assert.deepEqual(bareIds(text), [], `a bare ID in: ${text}`);
  // And the mention syntax is there where it names someone: the person who linked, the channel.
  assert.match(answers[2] ?? '', /by <@U0SBXADA>/);
  assert.match(answers[3] ?? '', /by <@910000000000000201>/);
});

test("posting as an agent the bridge blocked is refused with HTTP 400 and Fluxra's reason, and logs no error", async () => {
  const view = await sandbox.view();
  const agent = view.fluxra.agents.find((candidate: { agentName: string }) => candidate.agentName === 'review-agent');
  assert.ok(agent);
  if (!view.slack.linkedTo) await command('slack', `/bridge link ${view.fluxra.conversationId ?? 'new'}`);
  const blocked = await command('slack', `/block agent ${agent.agentId}`);
  assert.match(blocked, /^Blocked/);
  const response = await fetch(`${sandbox.url}/api/fluxra`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'let me in', agentId: agent.agentId }),
  });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { ok: boolean; error: string };
  assert.equal(body.ok, false);
  assert.match(body.error, /^Fluxra refused \(403\): a member of this conversation has blocked you\.$/);
  assert.doesNotMatch(readFileSync(join(dataDir, 'bridge.log'), 'utf8'), /sandbox console error/);
});
