import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Agent } from 'undici';
import { loadConfig } from '../../../src/config/load.js';
import { createFluxraClient, FluxraApiError } from '../../../src/services/fluxra/client.js';
import { fluxraClientOptionsFromConfig } from '../../../src/services/fluxra/from-config.js';
import { DEFAULT_FLUXRA_ROUTES, fillPath, resolveFluxraRoutes } from '../../../src/services/fluxra/routes.js';
import { createFakeFluxra } from '../../../src/simulators/fluxra.js';
import { rejection, startHarness } from './helpers.js';

const overrides = {
  listMessages: { path: '/api/v2/conversations/{conversation_id}/history' },
  editMessage: { method: 'PUT' as const },
  sendMessage: { path: '/api/v2/messages' },
};

describe('fluxra routes', () => {
  test('fillPath URL-encodes every value and insists on all placeholders', () => {
    assert.equal(fillPath('/api/blocks/{block_id}', { block_id: 'a/b?c#d' }), '/api/blocks/a%2Fb%3Fc%23d');
    assert.throws(() => fillPath('/api/blocks/{block_id}', {}), /needs a value for \{block_id\}/);
  });

  test('resolveFluxraRoutes merges overrides over the defaults field by field', () => {
    const routes = resolveFluxraRoutes(overrides);
    assert.deepEqual(routes.editMessage, { method: 'PUT', path: DEFAULT_FLUXRA_ROUTES.editMessage.path });
    assert.deepEqual(routes.listMessages, { method: 'GET', path: '/api/v2/conversations/{conversation_id}/history' });
    assert.deepEqual(routes.health, DEFAULT_FLUXRA_ROUTES.health);
  });

  test('route overrides from config make the client call different paths and methods', async () => {
    const h = await startHarness({ fake: { routes: overrides }, client: { routes: overrides } });
    try {
      const conversation = h.fake.createConversation({ creatorId: h.bridge.agentId });
      const sent = await h.client.sendMessage({ conversationId: conversation.conversationId, content: 'hi' });
      await h.client.editMessage(sent.messageId, 'hi again');
      const page = await h.client.listMessages({ conversationId: conversation.conversationId });
      assert.equal(page.messages[0]?.content, 'hi again');
      const seen = h.fake.state.requests.filter((r) => r.route !== 'token').map((r) => `${r.method} ${r.path}`);
      assert.deepEqual(seen, ['POST /api/v2/messages', `PUT /api/messages/${sent.messageId}`, `GET /api/v2/conversations/${conversation.conversationId}/history`]);
    } finally {
      await h.close();
    }
  });

  test('a client on the default routes misses a server that moved the route (404)', async () => {
    const h = await startHarness({ fake: { routes: overrides } });
    try {
      const conversation = h.fake.createConversation({ creatorId: h.bridge.agentId });
      const error = await rejection(() => h.client.listMessages({ conversationId: conversation.conversationId }));
      assert.ok(error instanceof FluxraApiError && error.status === 404);
      assert.equal(h.fake.state.requests.at(-1)?.route, undefined);
    } finally {
      await h.close();
    }
  });

  test('routes set in the config file reach the fake at the overridden path', async () => {
    const fake = await createFakeFluxra({ routes: overrides });
    const dispatcher = new Agent();
    const dir = mkdtempSync(join(tmpdir(), 'fluxra-routes-'));
    try {
      const bridge = fake.createAgent();
      const path = join(dir, 'bridge.json');
      writeFileSync(path, JSON.stringify({ fluxra: { baseUrl: fake.url, routes: overrides } }));
      const { config } = loadConfig({ path, env: { FLUXRA_AGENT_ID: bridge.agentId, FLUXRA_API_KEY: bridge.apiKey } });
      const client = createFluxraClient(fluxraClientOptionsFromConfig(config.fluxra, { dispatcher }));
      const conversation = fake.createConversation({ creatorId: bridge.agentId });
      await client.sendMessage({ conversationId: conversation.conversationId, content: 'via config' });
      assert.deepEqual(
        fake.requestsTo('sendMessage').map((r) => `${r.method} ${r.path} ${r.status}`),
        ['POST /api/v2/messages 201'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await dispatcher.destroy();
      await fake.close();
    }
  });
});
