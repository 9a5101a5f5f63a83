import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readInvocation } from '../../../src/commands/agent.js';
import { createAgentResolver } from '../../../src/services/blocks/agents.js';
import { type AgentNames, editDistance, isNearAgentName, parseAgentRequest, stripSelfMentions } from '../../../src/sessions/parse.js';

const ALIAS_ID = '0b7f5a4e-1111-4c2d-9a00-00000000000a';
const resolver = createAgentResolver({ reviewer: ALIAS_ID });
function names(defaultAgent = 'claude'): AgentNames {
  return {
    isKnown(token) {
      try {
        resolver.resolve(token);
        return true;
      } catch {
        return false;
      }
    },
    validNames: () => resolver.validNames(),
    defaultAgent,
  };
}

test('a first word that is an agent names the agent; the rest is the prompt', () => {
  assert.deepEqual(parseAgentRequest({ text: 'codex fix the flaky test' }, names()), { kind: 'request', agent: 'codex', named: true, prompt: 'fix the flaky test' });
  assert.deepEqual(parseAgentRequest({ text: 'Gemini  explain\nthis' }, names()), { kind: 'request', agent: 'gemini', named: true, prompt: 'explain\nthis' });
});

test('a configured alias is an agent name too', () => {
  assert.deepEqual(parseAgentRequest({ text: 'reviewer look at PR 12' }, names()), { kind: 'request', agent: 'reviewer', named: true, prompt: 'look at PR 12' });
});

test('without an agent name the whole text goes to the default agent', () => {
  assert.deepEqual(parseAgentRequest({ text: 'fix the flaky test' }, names()), { kind: 'request', agent: 'claude', named: false, prompt: 'fix the flaky test' });
  // Ordinary words one letter from a name are prompts, not typos.
  assert.equal(parseAgentRequest({ text: 'code review this' }, names()).kind, 'request');
});

test('an empty prompt, a bare agent name or "help" gets the usage', () => {
  for (const text of ['', '   ', 'codex', 'help']) assert.deepEqual(parseAgentRequest({ text }, names()), { kind: 'usage' }, text);
});

test('a mistyped agent name is refused instead of going to the default agent', () => {
  assert.deepEqual(parseAgentRequest({ text: 'claud fix it' }, names()), { kind: 'unknown-agent', token: 'claud' });
  assert.deepEqual(parseAgentRequest({ text: 'codexx fix it' }, names()), { kind: 'unknown-agent', token: 'codexx' });
});

test('with no default agent, a prompt without a name is refused with the names', () => {
  assert.deepEqual(parseAgentRequest({ text: 'fix it' }, names('')), { kind: 'unknown-agent', token: 'fix' });
});

test('an explicit agent option is never guessed: unknown names are refused', () => {
  assert.deepEqual(parseAgentRequest({ text: 'codex fix it', agentOption: 'claude' }, names()), { kind: 'request', agent: 'claude', named: true, prompt: 'codex fix it' });
  assert.deepEqual(parseAgentRequest({ text: 'fix it', agentOption: 'gpt9' }, names()), { kind: 'unknown-agent', token: 'gpt9' });
  assert.deepEqual(parseAgentRequest({ text: ' ', agentOption: 'codex' }, names()), { kind: 'usage' });
});

test('our own mentions are removed from a mention, other people stay in the prompt', () => {
  assert.equal(stripSelfMentions('<@UBRIDGE> codex fix the flaky test', 'UBRIDGE'), 'codex fix the flaky test');
  assert.equal(stripSelfMentions('<@!123>, ask <@U999> about it', '123'), 'ask <@U999> about it');
  assert.equal(stripSelfMentions('hey <@UBRIDGE|bridge>: codex go', 'UBRIDGE'), 'hey codex go');
  assert.equal(stripSelfMentions('<@UBRIDGE>', 'UBRIDGE'), '');
});

test('/agent reads Discord options by position and Slack text as typed', () => {
  const n = names();
  assert.deepEqual(readInvocation({ platform: 'discord', rawText: '' }, ['ask', 'fix the flaky test', 'codex'], n), {
    kind: 'request',
    agent: 'codex',
    named: true,
    prompt: 'fix the flaky test',
  });
  // Discord without the agent option: the prompt reads like a mention's text.
  assert.deepEqual(readInvocation({ platform: 'discord', rawText: '' }, ['ask', 'codex fix it'], n), { kind: 'request', agent: 'codex', named: true, prompt: 'fix it' });
  assert.deepEqual(readInvocation({ platform: 'discord', rawText: '' }, ['ask', 'fix it'], n), { kind: 'request', agent: 'claude', named: false, prompt: 'fix it' });
  assert.deepEqual(readInvocation({ platform: 'discord', rawText: '' }, ['help'], n), { kind: 'usage' });
  assert.deepEqual(readInvocation({ platform: 'slack', rawText: 'kimi write\nthe docs' }, ['kimi', 'write', 'the', 'docs'], n), {
    kind: 'request',
    agent: 'kimi',
    named: true,
    prompt: 'write\nthe docs',
  });
});

test('typo distance', () => {
  assert.equal(editDistance('claud', 'claude'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(isNearAgentName('cursr', ['cursor']), true);
  assert.equal(isNearAgentName('fix', ['kimi']), false);
});
