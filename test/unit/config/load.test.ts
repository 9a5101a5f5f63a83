import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/core/errors.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadConfig to throw');
}

test('defaults point at the production services and start no platform without credentials', () => {
  const { config, enabled } = loadConfig({ env: {}, path: writeJson({}) });
  assert.equal(config.fluxra.baseUrl, 'https://chat.tryfluxra.com');
  assert.equal(config.blocks.baseUrl, 'https://api.blocks.team');
  assert.equal(config.blocks.rateLimit.limit, 100);
  assert.equal(config.blocks.rateLimit.windowMs, 60_000);
  assert.deepEqual(enabled, { slack: false, discord: false, fluxra: false, blocks: false });
  assert.ok(Object.isFrozen(config.blocks.rateLimit));
});

test('secrets come from the environment and enable their platform', () => {
  const { config, enabled } = loadConfig({
    path: writeJson({ slack: { mode: 'http' } }),
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test_token_1',
      SLACK_SIGNING_SECRET: 'signing-secret-1',
      FLUXRA_AGENT_ID: 'agt_0123456789abcdef0123456789abcdef',
      FLUXRA_API_KEY: 'sk_test_key_123',
    },
  });
  assert.equal(config.slack.botToken, 'xoxb-test_token_1');
  assert.equal(enabled.slack, true);
  assert.equal(enabled.fluxra, true);
  assert.equal(enabled.discord, false);
});

test('a bad config lists every problem at once with key, found and expected, and hides secrets', () => {
  const secret = 'sk_this_is_very_secret_value';
  const error = configError(() =>
    loadConfig({
      path: writeJson({ fluxra: { baseUrl: 'ftp://nowhere', bogus: true }, blocks: { rateLimit: { limit: 0 } }, log: { level: 'loud' } }),
      env: { FLUXRA_API_KEY: secret, BLOCKS_API_KEY: 'short' },
    }),
  );
  const keys = error.problems.map((p) => p.key);
  assert.ok(keys.includes('fluxra.baseUrl'), keys.join());
  assert.ok(keys.includes('fluxra.bogus'), keys.join());
  assert.ok(
    keys.some((k) => k.startsWith('blocks.apiKey')),
    keys.join(),
  );
  assert.ok(keys.includes('blocks.rateLimit.limit'), keys.join());
  assert.ok(keys.includes('log.level'), keys.join());
  const baseUrl = error.problems.find((p) => p.key === 'fluxra.baseUrl');
  assert.equal(baseUrl?.found, '"ftp://nowhere"');
  assert.match(baseUrl?.expected ?? '', /http\(s\) URL/);
  assert.ok(!error.message.includes('short'), 'a secret value must not be printed');
  assert.ok(!error.message.includes(secret));
});

test('half-configured platforms are reported, not silently skipped', () => {
  const error = configError(() => loadConfig({ path: writeJson({}), env: { SLACK_BOT_TOKEN: 'xoxb-only_bot_token', FLUXRA_API_KEY: 'sk_key_without_agent' } }));
  const keys = error.problems.map((p) => p.key);
  assert.ok(
    keys.some((k) => k.startsWith('slack.appToken')),
    keys.join(),
  );
  assert.ok(
    keys.some((k) => k.startsWith('fluxra.agentId')),
    keys.join(),
  );
});

test('secrets written into the config file are refused', () => {
  const error = configError(() => loadConfig({ path: writeJson({ blocks: { apiKey: 'in-the-file-123' } }), env: {} }));
  assert.equal(error.problems[0]?.key, 'blocks.apiKey');
  assert.ok(!error.message.includes('in-the-file-123'));
});

test('an unreadable or non-JSON file is a config problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{ not json');
  assert.equal(configError(() => loadConfig({ path: bad, env: {} })).problems[0]?.key, '(file)');
  assert.equal(configError(() => loadConfig({ path: join(dir, 'missing.json'), env: {} })).problems[0]?.key, '(file)');
});

function writeJson(value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const path = join(dir, 'bridge.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
}

test('a reserve that leaves polling no slot is refused', () => {
  const error = configError(() => loadConfig({ path: writeJson({ blocks: { rateLimit: { limit: 10, interactiveReserve: 10 } } }), env: {} }));
  assert.equal(error.problems[0]?.key, 'blocks.rateLimit.interactiveReserve');
  assert.equal(error.problems[0]?.found, '10');
});

test('a base URL that carries a secret must be https unless its host is loopback', () => {
  const error = configError(() =>
    loadConfig({
      path: writeJson({
        fluxra: { baseUrl: 'http://example.com' },
        blocks: { baseUrl: 'http://api.blocks.example' },
        slack: { apiUrl: 'http://10.0.0.5/api' },
        discord: { apiUrl: 'http://127.example.com/api' },
      }),
      env: {},
    }),
  );
  const refused = error.problems.filter((p) => /https:\/\//.test(p.expected)).map((p) => p.key);
  assert.deepEqual(refused.sort(), ['blocks.baseUrl', 'discord.apiUrl', 'fluxra.baseUrl', 'slack.apiUrl']);
  assert.match(error.message, /fluxra\.baseUrl/);
  assert.match(error.message, /https:\/\//);

  const { config } = loadConfig({
    path: writeJson({
      fluxra: { baseUrl: 'http://127.0.0.1:4010' },
      blocks: { baseUrl: 'http://localhost:4020' },
      slack: { apiUrl: 'http://[::1]:4030/api' },
      discord: { apiUrl: 'https://discord.example.com/api' },
    }),
    env: {},
  });
  assert.equal(config.fluxra.baseUrl, 'http://127.0.0.1:4010');
  assert.equal(config.blocks.baseUrl, 'http://localhost:4020');
  assert.equal(config.slack.apiUrl, 'http://[::1]:4030/api');
});
