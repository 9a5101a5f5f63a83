import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLinkStatus, MAX_LISTED_CHANNELS } from '../../../src/commands/bridge-format.js';
import { describeLastDelivery } from '../../../src/commands/bridge-link-status.js';
import { describeChannel, describeChannels, describeUser } from '../../../src/format/chat-names.js';

const CONV = 'conv_0f8fad5b-d9cb-469f-a165-70867728950e';

test("a channel on the reader's platform is a reference; on the other, a name; odd IDs are inert", () => {
  assert.equal(describeChannel({ platform: 'slack', channelId: 'C0GENERAL' }, 'slack'), '<#C0GENERAL>');
  assert.equal(describeChannel({ platform: 'slack', channelId: 'C0GENERAL' }, 'discord'), 'a Slack channel');
  assert.equal(describeChannel({ platform: 'discord', channelId: '200000000000000001' }, 'discord'), '<#200000000000000001>');
  // Never a reference (or a ping) built from something that is not a channel ID.
  assert.equal(describeChannel({ platform: 'slack', channelId: '!channel>' }, 'slack'), 'Slack channel `!channel\uFFFD`');
  assert.equal(describeChannel({ platform: 'discord', channelId: '@everyone' }, 'discord'), 'Discord channel `\uFFFDeveryone`');
  assert.equal(
    describeChannels(
      [
        { platform: 'discord', channelId: '200000000000000001' },
        { platform: 'slack', channelId: 'C1' + 'A'.repeat(4) },
        { platform: 'slack', channelId: 'C0GENERAL' },
      ],
      'slack',
    ),
    '<#C1AAAA>, <#C0GENERAL> and a Discord channel',
  );
});

test('people are mentions on their own platform; channels elsewhere are counted, never shown as bare IDs', () => {
  assert.equal(describeUser('U0ADMIN', 'slack'), '<@slack:U0ADMIN|U0ADMIN>');
  assert.equal(describeUser('300000000000000001', 'discord'), '<@discord:300000000000000001|300000000000000001>');
  assert.equal(describeUser('300000000000000001'), '<@discord:300000000000000001|300000000000000001>');
  // Never a mention built from something that is not a user ID of that platform.
  assert.equal(describeUser('U0ADMIN', 'discord'), '`U0ADMIN`');
  assert.equal(describeUser('!here>', 'slack'), '`!here\uFFFD`');
  assert.equal(
    describeChannels(
      [
        { platform: 'discord', channelId: '200000000000000001' },
        { platform: 'discord', channelId: '200000000000000002' },
        { platform: 'slack', channelId: 'C0GENERAL' },
      ],
      'slack',
    ),
    '<#C0GENERAL> and 2 Discord channels',
  );
});

test('the last delivery reads from epoch ms or ISO; anything else is unknown, never an error', () => {
  assert.equal(describeLastDelivery(undefined), 'no messages yet');
  assert.equal(describeLastDelivery('garbage'), 'no messages yet');
  assert.equal(describeLastDelivery({ lastDeliveryAt: Date.UTC(2026, 3, 3, 20, 1), lastDirection: 'to-fluxra' }), '3 Apr 2026, 20:01 UTC, from chat to Fluxra');
  assert.equal(describeLastDelivery({ lastDeliveryAt: '2026-04-03T20:01:00Z', lastDirection: 'from-fluxra' }), '3 Apr 2026, 20:01 UTC, from Fluxra to chat');
  assert.equal(describeLastDelivery({ lastDeliveryAt: 1e300, lastDirection: 'toString' }), 'at an unknown time, `toString`');
  assert.equal(describeLastDelivery({ lastDeliveryAt: Number.NaN }), 'at an unknown time');
});

test('status names at most ten other channels and counts the rest', () => {
  const others = Array.from({ length: MAX_LISTED_CHANNELS + 3 }, (_, i) => ({
    channel: { platform: 'slack' as const, channelId: `C${String(i).padStart(4, '0')}` },
    link: undefined,
  }));
  const text = formatLinkStatus({
    viewer: 'slack',
    link: { conversationId: CONV, linkedAt: Date.UTC(2026, 3, 3, 20, 0), linkedBy: 'U0ADMIN', paused: false },
    others,
    lastDelivery: undefined,
    blockCommandName: 'block',
  });
  const lines = text.split('\n');
  assert.equal(lines[0], `This channel is linked to the Fluxra conversation \`${CONV}\` (since 3 Apr 2026, 20:00 UTC, by <@slack:U0ADMIN|U0ADMIN>).`);
  assert.match(lines[2] ?? '', /^• Also linked: <#C0000>, .*<#C0009>, and 3 more$/);
});
