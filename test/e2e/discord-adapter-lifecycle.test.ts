import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConnectionChange } from '../../src/core/chat.js';
import { BridgeError, ConfigError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { createDiscordAdapter } from '../../src/platforms/discord/index.js';
import { createFakeDiscord } from '../../src/simulators/discord.js';
import { startHarness, TOKEN } from '../support/discord-harness.js';

describe('Discord adapter: lifecycle', () => {
  test('rejects a bad configuration at construction, listing every problem', () => {
    assert.throws(
      () => createDiscordAdapter({ token: 'short', apiUrl: 'https://discord.com/api/v10', commands: [], deferAfterMs: 5000 }, { logger: silentLogger() }),
      (error: unknown) => error instanceof ConfigError && error.problems.map((problem) => problem.key).join() === 'discord.token,discord.apiUrl,discord.deferAfterMs',
    );
  });

  test('start resolves once the gateway is ready, identifying with our intents', async () => {
    const h = await startHarness();
    try {
      assert.equal(h.adapter.selfUserId, h.fake.state.botUser.id);
      assert.equal(h.fake.gateway.counts.identify, 1);
      // Guilds (1) | GuildMessages (512) | MessageContent (32768).
      assert.equal(h.fake.gateway.lastIdentify?.['intents'], 1 | 512 | 32768);
    } finally {
      await h.close();
    }
  });

  test('stop tells no connection change: its own close is not an interruption to catch up after', async () => {
    // discord.js reports the close of `destroy()` as "reconnecting". Told as `interrupted`, the
    // catch-up would hold Discord's live events for a reconnect that never comes, and stop
    // (which waits for the intake to drain) would never end: a replica that lost the lead
    // could then never lead again.
    const h = await startHarness();
    const changes: ConnectionChange[] = [];
    h.adapter.onConnectionChange?.((change) => changes.push(change));
    try {
      await h.adapter.stop();
      assert.deepEqual(changes, []);
      assert.equal(h.adapter.connectionState?.(), 'idle');
    } finally {
      await h.close();
    }
  });

  test('a wrong token fails start with an error that does not contain the token', async () => {
    const fake = await createFakeDiscord({ token: TOKEN });
    const wrong = 'MTAwMDAwMDAwMDAwMDAwMDAw.wrong0.not-the-right-token-000000';
    const adapter = createDiscordAdapter({ token: wrong, apiUrl: fake.apiUrl, commands: [], restRetries: 0 }, { logger: silentLogger() });
    try {
      await assert.rejects(adapter.start(), (error: unknown) => error instanceof BridgeError && error.code === 'DISCORD_LOGIN_FAILED' && !error.message.includes(wrong));
      assert.equal(fake.state.calls[0]?.status, 401);
    } finally {
      await adapter.stop();
      await fake.close();
    }
  });
});
