import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InboundMessage } from '../../../../src/core/chat.js';
import { discordAfter, discordChangesAfter, discordEditOf } from '../../../../src/platforms/discord/history.js';
import { snowflakeAt } from '../../../../src/platforms/discord/own-posts.js';
import { slackChangesStartMs, slackEditOf } from '../../../../src/platforms/slack/history.js';

const T = Date.UTC(2026, 11, 5, 12, 0, 0);
const HOUR = 3_600_000;

test('Discord: edits are looked for back to changesSinceMs when that is before where messages start, never before notBeforeMs', () => {
  const last = snowflakeAt(T);
  const base = { afterMessageId: last, overlapMs: 10_000, notBeforeMs: T - 24 * HOUR };
  assert.equal(discordChangesAfter(base), discordAfter(base), 'no lookback asked: the usual start');
  assert.equal(discordChangesAfter({ ...base, changesSinceMs: T - HOUR }), snowflakeAt(T - HOUR), 'messages from the lookback on are read');
  assert.equal(discordChangesAfter({ ...base, changesSinceMs: T + HOUR }), discordAfter(base), 'a lookback after the start changes nothing');
  assert.equal(discordChangesAfter({ ...base, notBeforeMs: T - 60_000, changesSinceMs: T - HOUR }), snowflakeAt(T - 60_000));
});

test('Slack: the same rule on epoch ms', () => {
  assert.equal(slackChangesStartMs({ notBeforeMs: T - 24 * HOUR }, T), T);
  assert.equal(slackChangesStartMs({ notBeforeMs: T - 24 * HOUR, changesSinceMs: T - HOUR }, T), T - HOUR);
  assert.equal(slackChangesStartMs({ notBeforeMs: T - 60_000, changesSinceMs: T - HOUR }, T), T - 60_000);
  assert.equal(slackChangesStartMs({ notBeforeMs: 0, changesSinceMs: T + HOUR }, T), T);
});

test("an edit read from history carries the event id live delivery gives that edit, and the message's current text", () => {
  const message = (platform: 'slack' | 'discord', channelId: string, messageId: string): InboundMessage => ({
    kind: 'message',
    platform,
    eventId: `${platform}:${messageId}`,
    receivedAt: T,
    placeId: 'P1',
    ref: { platform, channelId, messageId, threadRootId: 'root' },
    author: { id: 'u', displayName: 'Ada', isBot: false, isSelf: false },
    text: 'fixed words',
    attachments: [],
    mentionsBot: false,
  });
  const slack = slackEditOf(message('slack', 'C1', '1700000000.000100'), '1700000100.000200');
  assert.equal(slack.eventId, 'slack:edit:C1:1700000000.000100:1700000100.000200');
  assert.deepEqual([slack.kind, slack.text, slack.ref.threadRootId, slack.placeId], ['edit', 'fixed words', 'root', 'P1']);
  const discord = discordEditOf(message('discord', '200', '300'), '2026-12-05T12:00:00.000000+00:00');
  assert.equal(discord.eventId, 'discord:edit:300:2026-12-05T12:00:00.000000+00:00');
  assert.equal(discord.text, 'fixed words');
});
