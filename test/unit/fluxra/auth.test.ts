import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../src/core/errors.js';
import { FluxraApiError, isCredentialsRejected } from '../../../src/services/fluxra/errors.js';
import { decodeJwtExpiry } from '../../../src/services/fluxra/token-cache.js';
import { rejection, startHarness } from './helpers.js';

describe('fluxra client: health and provisioning', () => {
  test('health reads status, timestamp and version from GET /health without the /api prefix or credentials', async () => {
    const h = await startHarness();
    try {
      const health = await h.client.health();
      assert.equal(health.status, 'healthy');
      assert.equal(health.version, '0.4.0');
      assert.ok(!Number.isNaN(Date.parse(health.timestamp)));
      const [request] = h.fake.requestsTo('health');
      assert.equal(request?.path, '/health');
      assert.equal(request?.headers['authorization'], undefined);
    } finally {
      await h.close();
    }
  });

  test('register, create an API key with the recovery key, and use that key for a token', async () => {
    const h = await startHarness();
    try {
      const registration = await h.client.register({ agentName: 'new-agent', metadata: { owner: 'tests' } });
      assert.match(registration.agentId, /^agt_[0-9a-f]{32}$/);
      assert.equal(registration.agentName, 'new-agent');
      assert.match(registration.recoveryKey, /^rk_/);
      assert.ok(registration.warning);
      assert.deepEqual(h.fake.requestsTo('register')[0]?.body, { agent_name: 'new-agent', metadata: { owner: 'tests' } });

      const key = await h.client.createApiKey({ agentId: registration.agentId, recoveryKey: registration.recoveryKey, name: 'cli', scopes: ['messages:read'], expiresInDays: 30 });
      assert.match(key.apiKey, /^sk_/);
      assert.match(key.keyId, /^aky_/);
      assert.deepEqual(key.scopes, ['messages:read']);
      assert.ok(key.expiresAt !== null && !Number.isNaN(Date.parse(key.expiresAt)));
      const keyRequest = h.fake.requestsTo('createApiKey')[0];
      assert.equal(keyRequest?.path, `/api/agents/${registration.agentId}`);
      assert.equal(keyRequest?.headers['authorization'], 'Basic');
      assert.deepEqual(keyRequest?.body, { name: 'cli', scopes: ['messages:read'], expires_in_days: 30 });

      const other = h.makeClient({ agentId: registration.agentId, apiKey: key.apiKey });
      const token = await other.exchangeToken();
      assert.equal(decodeJwtExpiry(token.accessToken) !== undefined, true);
      assert.equal(h.fake.state.tokens.get(token.accessToken)?.agentId, registration.agentId);
    } finally {
      await h.close();
    }
  });

  test('an API key without expiry comes back with expiresAt null', async () => {
    const h = await startHarness();
    try {
      const key = await h.client.createApiKey({ agentId: h.bridge.agentId, recoveryKey: h.bridge.recoveryKey, name: 'no-expiry' });
      assert.equal(key.expiresAt, null);
      assert.equal(key.scopes.length, 4);
    } finally {
      await h.close();
    }
  });

  test('a wrong recovery key is a FluxraApiError from the plain-text 401 that does not contain the key', async () => {
    const h = await startHarness();
    try {
      const secret = 'rk_wrong_recovery_key_123456';
      const error = await rejection(() => h.client.createApiKey({ agentId: h.bridge.agentId, recoveryKey: secret, name: 'x' }));
      assert.ok(error instanceof FluxraApiError);
      assert.equal(error.status, 401);
      assert.equal(error.code, 'HTTP_401');
      assert.match(error.apiMessage, /Unauthorized/);
      assert.equal(error.retryable, false);
      assert.ok(!error.message.includes(secret));
    } finally {
      await h.close();
    }
  });

  test('registering a taken name surfaces the envelope code CONFLICT', async () => {
    const h = await startHarness();
    try {
      const error = await rejection(() => h.client.register({ agentName: 'fluxra-bridge' }));
      assert.ok(error instanceof FluxraApiError);
      assert.equal(error.status, 409);
      assert.equal(error.code, 'CONFLICT');
    } finally {
      await h.close();
    }
  });
});

describe('fluxra client: JWT', () => {
  test('the token exchange sends Basic agent_id:api_key and grant_type client_credentials', async () => {
    const h = await startHarness();
    try {
      const token = await h.client.exchangeToken();
      const request = h.fake.requestsTo('token')[0];
      assert.equal(request?.method, 'POST');
      assert.equal(request?.path, '/api/auth/token');
      assert.equal(request?.headers['authorization'], 'Basic');
      assert.deepEqual(request?.body, { grant_type: 'client_credentials' });
      assert.ok(token.expiresAt > Date.now() + 3_000_000);
    } finally {
      await h.close();
    }
  });

  test('the JWT is cached across calls', async () => {
    const h = await startHarness();
    try {
      await h.client.listBlocks();
      await h.client.listBlocks();
      await h.client.health();
      assert.equal(h.fake.requestsTo('token').length, 1);
      assert.equal(
        h.fake.requestsTo('listBlocks').every((r) => r.headers['authorization'] === 'Bearer'),
        true,
      );
    } finally {
      await h.close();
    }
  });

  test('the JWT is renewed before expires_in runs out, minus the renewal margin', async () => {
    let clock = 1_000_000;
    const h = await startHarness({ fake: { tokenLifetimeSeconds: 600 }, client: { now: () => clock, renewBeforeExpirySeconds: 60 } });
    try {
      await h.client.listBlocks();
      clock += 539_000; // 1 s before the renewal point (600 s - 60 s)
      await h.client.listBlocks();
      assert.equal(h.fake.requestsTo('token').length, 1);
      clock += 2_000; // past it
      await h.client.listBlocks();
      assert.equal(h.fake.requestsTo('token').length, 2);
    } finally {
      await h.close();
    }
  });

  test("without expires_in the JWT's exp claim schedules the renewal", async () => {
    const h = await startHarness({ fake: { tokenLifetimeSeconds: 300, tokenExpiryHint: 'jwt-exp' } });
    try {
      const token = await h.client.exchangeToken();
      const exp = decodeJwtExpiry(token.accessToken);
      assert.ok(exp !== undefined);
      assert.equal(token.expiresAt, exp * 1000);
    } finally {
      await h.close();
    }
  });

  test('a JWT with exp is renewed from the claim when the clock passes it', async () => {
    let clock = Date.now();
    const h = await startHarness({ fake: { tokenLifetimeSeconds: 300, tokenExpiryHint: 'jwt-exp' }, client: { now: () => clock, renewBeforeExpirySeconds: 30 } });
    try {
      await h.client.listBlocks();
      clock += 240_000;
      await h.client.listBlocks();
      assert.equal(h.fake.requestsTo('token').length, 1);
      clock += 40_000; // within 30 s of exp
      await h.client.listBlocks();
      assert.equal(h.fake.requestsTo('token').length, 2);
    } finally {
      await h.close();
    }
  });

  test('decodeJwtExpiry returns undefined for tokens that are not JWTs or carry no exp', () => {
    assert.equal(decodeJwtExpiry('opaque-token'), undefined);
    assert.equal(decodeJwtExpiry('a.%%%.c'), undefined);
    const noExp = `x.${Buffer.from(JSON.stringify({ sub: 'agt_1' })).toString('base64url')}.y`;
    assert.equal(decodeJwtExpiry(noExp), undefined);
    const withExp = `x.${Buffer.from(JSON.stringify({ exp: 1_900_000_000 })).toString('base64url')}.y`;
    assert.equal(decodeJwtExpiry(withExp), 1_900_000_000);
  });

  test('a token answer with no expiry at all falls back to the configured lifetime', async () => {
    const clock = 5_000_000;
    const h = await startHarness({ client: { now: () => clock, tokenLifetimeFallbackSeconds: 120, renewBeforeExpirySeconds: 20 } });
    try {
      h.fake.inject({ kind: 'status', status: 200, json: { access_token: 'opaque-token-without-claims' } }, { route: 'token' });
      const token = await h.client.exchangeToken();
      assert.equal(token.expiresAt, 5_000_000 + 120_000);
    } finally {
      await h.close();
    }
  });

  test('concurrent callers hit by a plain-text 401 share ONE renewal and each retry once', async () => {
    const h = await startHarness();
    try {
      await h.client.listBlocks();
      h.fake.revokeTokens();
      const results = await Promise.all(Array.from({ length: 6 }, () => h.client.listBlocks()));
      assert.equal(results.length, 6);
      assert.equal(h.fake.requestsTo('token').length, 2);
      const statuses = h.fake.requestsTo('listBlocks').map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 401).length, 6);
      assert.equal(statuses.filter((s) => s === 200).length, 7);
    } finally {
      await h.close();
    }
  });

  test('a JSON UNAUTHORIZED 401 also renews the token and retries the call once', async () => {
    const h = await startHarness();
    try {
      await h.client.listBlocks();
      h.fake.inject({ kind: 'status', status: 401, json: { error: { code: 'UNAUTHORIZED', message: 'token expired' } } }, { route: 'createBlock' });
      const other = h.fake.createAgent();
      const block = await h.client.createBlock({ type: 'agent', targetId: other.agentId });
      assert.equal(block.targetId, other.agentId);
      assert.equal(h.fake.requestsTo('token').length, 2);
      assert.equal(h.fake.requestsTo('createBlock').length, 2);
    } finally {
      await h.close();
    }
  });

  test('a second 401 after the renewal is thrown, not retried again', async () => {
    const h = await startHarness();
    try {
      h.fake.inject({ kind: 'status', status: 401, text: 'Unauthorized' }, { route: 'listBlocks', times: 5 });
      const error = await rejection(() => h.client.listBlocks());
      assert.ok(error instanceof FluxraApiError);
      assert.equal(error.status, 401);
      assert.equal(h.fake.requestsTo('listBlocks').length, 2);
      assert.equal(h.fake.requestsTo('token').length, 2);
    } finally {
      await h.close();
    }
  });

  test('a token exchange refused with 401 is a credentials error, not retried, without the key in it', async () => {
    const h = await startHarness();
    try {
      const apiKey = 'sk_not_the_right_key_0123456789';
      const client = h.makeClient({ apiKey });
      const error = await rejection(() => client.listBlocks());
      assert.ok(error instanceof FluxraApiError);
      assert.equal(error.status, 401);
      assert.equal(error.route, 'token');
      assert.equal(isCredentialsRejected(error), true);
      assert.equal(h.fake.requestsTo('token').length, 1);
      assert.equal(h.fake.requestsTo('listBlocks').length, 0);
      assert.ok(!error.message.includes(apiKey));
      assert.ok(!String(error.detail).includes(apiKey));
    } finally {
      await h.close();
    }
  });

  test('a Bearer call without agent id and API key is a ConfigError naming both, before any request', async () => {
    const h = await startHarness();
    try {
      const client = h.makeClient({ agentId: undefined, apiKey: undefined });
      const error = await rejection(() => client.listBlocks());
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(
        error.problems.map((p) => p.key),
        ['fluxra.agentId', 'fluxra.apiKey'],
      );
      assert.equal(h.fake.state.requests.length, 0);
    } finally {
      await h.close();
    }
  });
});
