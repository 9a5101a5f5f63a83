import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slackManifest } from '../../../src/cli/commands/slack-manifest.js';

type Manifest = {
  features: { assistant_view?: { assistant_description: string; suggested_prompts: Array<{ title: string; message: string }> }; app_home?: { messages_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[] } };
};

test('the manifest carries the side pane: its view, the assistant:write scope and its events', () => {
  const prompts = [{ title: 'Explain', message: 'Explain this code' }];
  const manifest = slackManifest({ appName: 'Bridge', specs: [], assistant: { prompts } }) as unknown as Manifest;
  assert.deepEqual(manifest.features.assistant_view?.suggested_prompts, prompts);
  assert.match(manifest.features.assistant_view?.assistant_description ?? '', /private session/);
  assert.equal(manifest.features.app_home?.messages_tab_enabled, true);
  for (const scope of ['assistant:write', 'im:history', 'chat:write']) assert.ok(manifest.oauth_config.scopes.bot.includes(scope), scope);
  for (const event of ['assistant_thread_started', 'assistant_thread_context_changed', 'message.im'])
    assert.ok(manifest.settings.event_subscriptions.bot_events.includes(event), event);
});

test('with the side pane off, the manifest asks for none of it', () => {
  const manifest = slackManifest({ appName: 'Bridge', specs: [] }) as unknown as Manifest;
  assert.equal(manifest.features.assistant_view, undefined);
  assert.ok(!manifest.oauth_config.scopes.bot.includes('assistant:write'));
  assert.ok(!manifest.settings.event_subscriptions.bot_events.includes('message.im'));
});
