import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unavailableAnswers } from '../../../src/app/commands-wiring.js';
import { credentialNotes } from '../../../src/cli/command-specs.js';
import { missingToStart, nothingConfigured } from '../../../src/cli/essentials.js';
import { loadConfig } from '../../../src/config/load.js';

const SLACK = { SLACK_BOT_TOKEN: 'xoxb-1111_2222_essentials', SLACK_APP_TOKEN: 'xapp-1-A111-3333-essentials' };
const FLUXRA = { FLUXRA_AGENT_ID: 'agt_0123456789abcdef0123456789abcdef', FLUXRA_API_KEY: 'sk_essentials_0001' };
const load = (env: Record<string, string>, overrides: Record<string, unknown> = {}) => loadConfig({ env, overrides });

test('start needs a chat platform and an upstream, and names what is missing', () => {
  assert.equal(missingToStart(load({ ...SLACK, ...FLUXRA })), undefined);
  assert.equal(missingToStart(load({ DISCORD_TOKEN: 'MTAwMDAwMDAwMDAwMDAwMDAw.essent.token-for-the-essentials-test', BLOCKS_API_KEY: 'blk_essentials_key_0001' })), undefined);
  assert.equal(missingToStart(load(FLUXRA)), 'no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN for Slack, or DISCORD_TOKEN for Discord (see .env.example)');
  assert.equal(missingToStart(load(SLACK)), 'nothing to bridge to: set FLUXRA_AGENT_ID and FLUXRA_API_KEY for Fluxra, or BLOCKS_API_KEY for Blocks agents (see .env.example)');
  assert.match(
    missingToStart(load({}, { slack: { mode: 'http' } })) ?? '',
    /^no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET for Slack, .*; nothing to bridge to: /,
  );
});

test('check refuses only a configuration with no credentials at all', () => {
  assert.match(nothingConfigured(load({})) ?? '', /^nothing is configured/);
  assert.equal(nothingConfigured(load({ BLOCKS_API_KEY: 'blk_essentials_key_0001' })), undefined);
  assert.equal(nothingConfigured(load(SLACK)), undefined);
});

test('a manifest listing every command notes what each still waits for', () => {
  assert.deepEqual(credentialNotes(load({ ...FLUXRA, BLOCKS_API_KEY: 'blk_essentials_key_0001' })), []);
  const none = credentialNotes(load({}, { commands: { block: 'fx-block' } }));
  assert.equal(none.length, 2);
  assert.match(none[0] ?? '', /^\/fx-block and the conversation links of \/bridge answer once FLUXRA_AGENT_ID and FLUXRA_API_KEY are set/);
  assert.match(none[1] ?? '', /^\/agent, @mentions of the bot and "\/bridge link agent" answer once BLOCKS_API_KEY is set/);
});

test('a configured command that is not offered answers what it needs instead of nothing', () => {
  const { config } = load({});
  assert.deepEqual(unavailableAnswers(config, [{ name: 'block' }, { name: 'bridge' }, { name: 'agent' }]), {});
  const answers = unavailableAnswers(config, [{ name: 'block' }, { name: 'bridge' }]);
  assert.deepEqual(Object.keys(answers), ['agent']);
  assert.equal(answers['agent'], '/agent is not set up on this bridge yet: it needs a Blocks key (BLOCKS_API_KEY). Tell whoever runs the bridge.');
});
