import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelAction } from '../../../src/commands/agent.js';
import { parseBridgeArgs } from '../../../src/commands/bridge-parse.js';
import { answeredElsewhereText, batchPrompt, channelStatusLines, describeAge } from '../../../src/sessions/bound-channels/text.js';
import type { PlacedMessage } from '../../../src/sessions/types.js';

const placed = (text: string, authorName = 'Ada'): PlacedMessage => ({ ref: { platform: 'slack', channelId: 'C1', messageId: text }, threadRootId: text, authorName, text });

test('one waiting message goes to the agent as it is; several go as one numbered prompt with their authors', () => {
  assert.equal(batchPrompt([placed('fix the build')]), 'fix the build');
  assert.equal(
    batchPrompt([placed('check lint'), placed('and docs\nplease', 'Bob')]),
    '2 messages arrived in the channel while you were busy. Answer them together, in order:\n\n1. Ada: check lint\n\n2. Bob: and docs\nplease',
  );
});

test('the pointer names the answer’s thread by a short quote of its message', () => {
  assert.equal(answeredElsewhereText('claude', placed('thanks'), 3), 'claude answered this together with 2 other messages, in the thread of “thanks” from Ada.');
  const long = placed(`${'a'.repeat(70)}\n\nb`);
  assert.match(answeredElsewhereText('claude', long, 2), /with 1 other message, in the thread of “a{60}…” from Ada\.$/);
});

test('ages read as people say them', () => {
  assert.deepEqual([0, 45_000, 180_000, 3_600_000, 7_500_000].map(describeAge), ['0 s', '45 s', '3 min', '1 h', '2 h 5 min']);
});

test('the status lists the session, the running turn with its age, and what waits (five named, the rest counted)', () => {
  const waiting = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((t) => placed(t));
  const lines = channelStatusLines({
    agentLabel: 'claude',
    boundBy: 'UADA',
    boundAt: 0,
    mode: 'queue',
    session: { state: 'active', turns: 3, url: 'https://blocks.team/s/1' },
    running: { n: 3, ageMs: 125_000, messages: [placed('why red?')] },
    waiting,
    sending: 0,
  });
  assert.deepEqual(lines, [
    'This channel is bound to the agent `claude` (by <@slack:UADA|UADA>); messages wait for a running turn: yes (queue).',
    '• Session: https://blocks.team/s/1 (3 turns)',
    '• Running: turn 3, for 2 min, answering “why red?” from Ada',
    '• Queue: 7 waiting: “a” from Ada, “b” from Ada, “c” from Ada, “d” from Ada, “e” from Ada, and 2 more',
  ]);
  const fresh = channelStatusLines({ agentLabel: 'codex', boundBy: 'U1', boundAt: 0, mode: 'interrupt', waiting: [], sending: 2 });
  assert.deepEqual(fresh.slice(1), ['• Session: none yet; the next message here starts one.', '• Running: nothing', '• Being sent: 2 messages', '• Queue: empty']);
});

test('/bridge link agent <name> and /bridge unlink agent parse; a missing name or extra words are refused', () => {
  assert.deepEqual(parseBridgeArgs('bridge', ['link', 'agent', 'claude']), { ok: true, value: { action: 'link-agent', agent: 'claude' } });
  assert.deepEqual(parseBridgeArgs('bridge', ['LINK', 'Agent', 'reviewer']), { ok: true, value: { action: 'link-agent', agent: 'reviewer' } });
  assert.deepEqual(parseBridgeArgs('bridge', ['unlink', 'agent']), { ok: true, value: { action: 'unlink-agent' } });
  assert.deepEqual(parseBridgeArgs('bridge', ['unlink']), { ok: true, value: { action: 'unlink' } });
  const missing = parseBridgeArgs('bridge', ['link', 'agent']);
  assert.equal(missing.ok, false);
  assert.match(missing.ok ? '' : missing.message, /^Bind this channel to which agent\?/);
  const extra = parseBridgeArgs('bridge', ['link', 'agent', 'claude', 'now']);
  assert.match(extra.ok ? '' : extra.message, /takes nothing more; remove `now`/);
  assert.equal(parseBridgeArgs('bridge', ['unlink', 'agent', 'x']).ok, false);
});

test('/agent new and /agent status are the whole text on Slack and a subcommand on Discord; longer text is a prompt', () => {
  assert.equal(channelAction({ platform: 'slack', rawText: ' New ' }, ['New']), 'new');
  assert.equal(channelAction({ platform: 'slack', rawText: 'status' }, ['status']), 'status');
  assert.equal(channelAction({ platform: 'slack', rawText: 'new feature for the parser' }, ['new', 'feature']), undefined);
  assert.equal(channelAction({ platform: 'discord', rawText: 'status' }, ['status']), 'status');
  assert.equal(channelAction({ platform: 'discord', rawText: 'ask new' }, ['ask', 'new']), undefined);
});
