import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSecrets, registerSecret } from '../../src/core/redact.js';

test('masks token shapes seen for the first time', () => {
  const cases: Array<[string, string]> = [
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl', 'Authorization: Bearer [REDACTED]'],
    ['Authorization: ApiKey abcdef0123456789', 'Authorization: ApiKey [REDACTED]'],
    ['token xoxb-1234_5678_abcdefghij leaked', 'token [REDACTED] leaked'],
    ['app xapp-1-A1-2-abcdefgh', 'app [REDACTED]'],
    ['key sk_test_abcdef123456 and rk_recovery123', 'key [REDACTED] and [REDACTED]'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig_nature-1', 'jwt [REDACTED]'],
    ['POST /api/v10/webhooks/123456789012345678/aW50ZXJhY3Rpb246MTIzNDU2Nzg5/messages', 'POST /api/v10/webhooks/123456789012345678/[REDACTED]/messages'],
    ['{"api_key":"sk_abcdefgh","name":"x"}', '{"api_key":"[REDACTED]","name":"x"}'],
    ['?token=abcdef&x=1', '?token=[REDACTED]&x=1'],
  ];
  for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input);
});

test('masks registered secret values whatever their shape', () => {
  registerSecret('plain-looking-secret-value');
  assert.equal(redactSecrets('the key is plain-looking-secret-value, see'), 'the key is [REDACTED], see');
});

test('leaves ordinary text alone', () => {
  const text = 'Blocked agent agt_0123456789abcdef0123456789abcdef in conv_5e1d2c3b-2222-4f00-8b00-000000000002';
  assert.equal(redactSecrets(text), text);
});
