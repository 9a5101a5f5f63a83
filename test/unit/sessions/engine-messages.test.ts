import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimitedError, UpstreamError } from '../../../src/core/errors.js';
import { BlocksApiError, BlocksErrorCode } from '../../../src/services/blocks/errors.js';
import { blocksErrorText, KEY_REFUSED_TEXT, replyText, rootText, SESSION_GONE_TEXT } from '../../../src/sessions/messages.js';

const url = 'https://blocks.test/rest/v1/sessions';

test('PRs are listed as links after the answer, whatever their shape', () => {
  const text = replyText({
    answer: 'Fixed it.',
    pullRequests: [
      { url: 'https://github.com/o/r/pull/12', label: 'https://github.com/o/r/pull/12' },
      { url: 'https://github.com/o/r/pull/13', label: 'Fix flake', status: 'open' },
      { label: 'PR-77' },
    ],
    maxChars: 1000,
    agentLabel: 'claude',
  });
  assert.equal(text, 'Fixed it.\n\nPull requests:\n• https://github.com/o/r/pull/12\n• [Fix flake](https://github.com/o/r/pull/13) (open)\n• PR-77');
});

test('a long answer is cut, says so, links the session and never leaves a code block open', () => {
  const answer = `intro\n\`\`\`ts\n${'const x = 1;\n'.repeat(200)}\`\`\`\nend`;
  const text = replyText({ answer, pullRequests: [], sessionUrl: 'https://blocks.team/app/s/1', maxChars: 500, agentLabel: 'claude' });
  assert.ok(text.length < 700);
  assert.match(text, /cut: the full answer is \d+ characters; read it in the session https:\/\/blocks\.team\/app\/s\/1/);
  assert.equal((text.match(/^```/gm) ?? []).length % 2, 0);
});

test('an empty answer is still an answer', () => {
  assert.match(replyText({ answer: '', pullRequests: [], maxChars: 100, agentLabel: 'codex' }), /codex finished without a message/);
});

test('the root of a slash command quotes the prompt, shortened', () => {
  assert.equal(rootText('ada', 'claude', 'fix it\nplease'), 'ada asked claude:\n> fix it\n> please');
  assert.ok(rootText('ada', 'claude', 'x'.repeat(1000)).endsWith('…'));
});

test('Blocks errors become the documented answers; a 429 is not an answer (queued)', () => {
  const details = (status: number) => ({ status, method: 'POST', url: new URL(url), reason: 'agent_name must be one of claude, codex' });
  assert.equal(blocksErrorText(new BlocksApiError(BlocksErrorCode.Auth, 'x', details(403)), 'create'), KEY_REFUSED_TEXT);
  assert.equal(blocksErrorText(new BlocksApiError(BlocksErrorCode.Validation, 'x', details(422)), 'create'), 'Blocks refused the request: agent_name must be one of claude, codex');
  assert.equal(blocksErrorText(new BlocksApiError(BlocksErrorCode.NotFound, 'x', details(404)), 'follow-up'), SESSION_GONE_TEXT);
  assert.match(String(blocksErrorText(new BlocksApiError(BlocksErrorCode.Server, 'x', { ...details(502), maybeProcessed: true }), 'create')), /may or may not have started/);
  assert.match(String(blocksErrorText(new UpstreamError('TIMEOUT', 'x', { service: 'blocks', status: 0, method: 'POST', url }), 'create')), /may or may not have started/);
  const limited = new RateLimitedError('x', { service: 'blocks', status: 429, method: 'POST', url, retryAfterMs: 2000, retryAfterFromServer: true });
  assert.equal(blocksErrorText(limited, 'create'), undefined);
});
