/**
 * `/block` end to end from Slack, in Socket Mode and in HTTP mode: the real Bolt app on the
 * fake Slack, the real router and `/block`, the real Fluxra client on the fake Fluxra. A
 * slash command goes in; what reached Fluxra and what the person was answered through the
 * response_url (ephemerally) come out.
 */

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSlackAdapter, type SlackAdapter } from '../../src/platforms/slack/index.js';
import { createFakeSlack, type FakeSlack } from '../../src/simulators/slack.js';
import { ADMIN, createBlockRouter, type FluxraBackend, startFluxraBackend } from '../unit/commands/fluxra-harness.js';
import { captureLogger } from '../unit/commands/helpers.js';

const TOKENS = {
  botToken: 'xoxb-1111_2222_fakebottoken',
  appToken: 'xapp-1-A111-3333-fakeapptoken',
  signingSecret: 'fake-signing-secret-0123456789',
} as const;
const CHANNEL = 'C0GENERAL';
const OWNER = 'U0OWNER';
const STRANGER = 'U0NOBODY';

for (const mode of ['socket', 'http'] as const) {
  describe(`/block from Slack (${mode === 'socket' ? 'Socket Mode' : 'HTTP mode'})`, () => {
    let fluxra: FluxraBackend;
    let slack: FakeSlack;
    let adapter: SlackAdapter;

    before(async () => {
      fluxra = await startFluxraBackend();
      slack = await createFakeSlack({
        ...TOKENS,
        users: [
          { id: ADMIN, name: 'ada' },
          { id: OWNER, name: 'olga', isOwner: true },
          { id: STRANGER, name: 'mallory' },
        ],
        channels: [{ id: CHANNEL, name: 'general' }],
      });
      const log = captureLogger('warn');
      const router = createBlockRouter({ fluxra: fluxra.client, logger: log.logger });
      adapter = createSlackAdapter(
        { ...TOKENS, mode, port: 0, apiUrl: slack.apiUrl, commandNames: router.specs.map((spec) => spec.name), clientRetries: 0 },
        { logger: log.logger },
      );
      // As the composition root wires it.
      adapter.onEvent(async (e) => {
        if (e.kind === 'command') await router.handle(e, adapter);
      });
      await adapter.start();
      if (mode === 'http') slack.setAppUrl(`http://127.0.0.1:${adapter.port}/slack/events`);
      else await slack.waitForSocket();
    });

    after(async () => {
      await adapter.stop();
      await slack.close();
      await fluxra.close();
    });

    /** Runs `/block <text>` and returns the answer posted to the response_url. */
    async function slash(text: string, userId = ADMIN): Promise<string> {
      const seen = slack.state.responses.length;
      await slack.deliverCommand({ command: 'block', text, channelId: CHANNEL, userId }, { via: mode });
      const response = await slack.state.waitFor(() => slack.state.responses[seen], `the answer to /block ${text.slice(0, 40)}`);
      assert.equal(response.body['response_type'], 'ephemeral');
      assert.equal(slack.state.responses.length, seen + 1, 'one answer');
      return String(response.body['text']);
    }

    test('/block agent reaches Fluxra and answers the person', async () => {
      const target = fluxra.fake.createAgent();
      const seen = fluxra.blockRequests().length;
      const text = await slash(`agent ${target.agentId}`);
      const created = [...fluxra.fake.state.blocks.values()].find((b) => b.targetId === target.agentId);
      assert.ok(created);
      assert.deepEqual(fluxra.blockRequests().slice(seen), [{ method: 'POST', path: '/api/blocks', query: {}, body: { type: 'agent', target_id: target.agentId } }]);
      assert.equal(text, `Blocked agent \`${target.agentId}\` (block \`${created.blockId}\`). Undo with \`/block remove ${created.blockId}\`.`);
    });

    test('/block conversation with an ID blocks the group; without one, asks for it', async () => {
      const conversation = fluxra.fake.createConversation({ creatorId: fluxra.bridge.agentId });
      assert.match(await slash(`conversation ${conversation.conversationId}`), new RegExp(`^Blocked conversation \`${conversation.conversationId}\``));
      assert.deepEqual(fluxra.blockRequests().at(-1)?.body, { type: 'group', target_id: conversation.conversationId });
      const seen = fluxra.fake.state.requests.length;
      assert.equal(await slash('conversation'), 'This channel is not linked to a Fluxra conversation; give one: `/block conversation conv_…`.');
      assert.equal(fluxra.fake.state.requests.length, seen);
    });

    test('/block list shows every block', async () => {
      const target = fluxra.fake.createAgent();
      fluxra.fake.blockFrom(fluxra.bridge.agentId, target.agentId);
      const text = await slash('list');
      assert.match(text, /^\d+ blocks?(, newest first)?:\n/);
      assert.ok(text.includes(`• agent \`${target.agentId}\`, block \``));
    });

    test('/block remove by block ID and by target', async () => {
      const a = fluxra.fake.createAgent();
      const b = fluxra.fake.createAgent();
      fluxra.fake.blockFrom(fluxra.bridge.agentId, a.agentId);
      fluxra.fake.blockFrom(fluxra.bridge.agentId, b.agentId);
      const blockA = [...fluxra.fake.state.blocks.values()].find((x) => x.targetId === a.agentId);
      assert.ok(blockA);
      assert.equal(await slash(`remove ${blockA.blockId}`), `Removed block \`${blockA.blockId}\`.`);
      assert.deepEqual(fluxra.blockRequests().at(-1), { method: 'DELETE', path: `/api/blocks/${blockA.blockId}`, query: {}, body: undefined });
      assert.match(await slash(`remove ${b.agentId}`), new RegExp(`^Removed the block on agent \`${b.agentId}\``));
      assert.equal(await slash(`remove ${b.agentId}`), `Agent \`${b.agentId}\` is not blocked.`);
    });

    test('/block and /block help show the usage', async () => {
      const usage = await slash('', STRANGER);
      assert.match(usage, /^`\/block` stops the bridge's Fluxra agent/);
      assert.equal(await slash('help', STRANGER), usage);
    });

    test('someone not allowed is refused; a workspace owner is not', async () => {
      const target = fluxra.fake.createAgent();
      const seen = fluxra.blockRequests().length;
      assert.equal(await slash(`agent ${target.agentId}`, STRANGER), "Only workspace admins and owners or people on the bridge's allow-list can block; ask an admin.");
      assert.equal(fluxra.blockRequests().length, seen);
      assert.match(await slash(`agent ${target.agentId}`, OWNER), /^Blocked agent/);
    });

    test('bad input is refused before Fluxra, and echoed without pinging anyone', async () => {
      const seen = fluxra.fake.state.requests.length;
      assert.match(await slash('remove ../../api/agents'), /IDs never contain `\/`\.$/);
      assert.match(await slash(`agent agt_${'a'.repeat(10_000)}`), /that one is 10004 characters long, an agent ID is 36\.$/);
      assert.match(await slash('list <!channel> everything'), /^`\/block list` takes nothing more; remove `\uFFFD!channel\uFFFD` `everything` and try again\.$/);
      const unknown = await slash('<@U0OWNER>');
      assert.doesNotMatch(unknown, /<@U0OWNER>/);
      assert.equal(fluxra.fake.state.requests.length, seen);
    });

    test('a Fluxra error reaches the person as a short answer', async () => {
      const target = fluxra.fake.createAgent();
      fluxra.fake.blockFrom(fluxra.bridge.agentId, target.agentId);
      assert.equal(await slash(`agent ${target.agentId}`), `Agent \`${target.agentId}\` is already blocked. See \`/block list\`.`);
      fluxra.fake.inject({ kind: 'status', status: 403, json: { error: { code: 'FORBIDDEN', message: 'no' } } }, { route: 'listBlocks' });
      assert.equal(await slash('list'), "The bridge's Fluxra credentials are not accepted: tell an admin.");
    });

    if (mode === 'http') {
      test('a forged request never reaches the router or Fluxra', async () => {
        const seenFluxra = fluxra.fake.state.requests.length;
        const seenAnswers = slack.state.responses.length;
        const result = await slack.deliverCommand({ command: 'block', text: 'list', channelId: CHANNEL, userId: ADMIN }, { via: 'http', forgeSignature: true });
        assert.equal(result.status, 401);
        assert.equal(fluxra.fake.state.requests.length, seenFluxra);
        assert.equal(slack.state.responses.length, seenAnswers);
      });
    }
  });
}
