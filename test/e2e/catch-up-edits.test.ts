/**
 * Edits and deletes made while the bridge was down are caught up (src/catch-up/), end to
 * end: the bridge runs as a child process against the Fluxra, Slack (Socket Mode) and Discord
 * fakes, with one Slack and one Discord channel linked to one conversation. Two messages on
 * each platform are mirrored; the bridge stops; one of each is edited and the other deleted
 * (neither platform hands those changes over as events after the downtime); the bridge starts
 * again and mirrors each edit and delete to Fluxra and to the other platform's copy once, and
 * a further start changes nothing again.
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { eventually } from '../support/eventually.js';
import { type BridgeChild, startBridgeChild } from './support/bridge-child.js';
import { createMirrorWorld, DISCORD_PEOPLE, type MirrorWorld, SLACK_PEOPLE } from './support/mirror-world.js';

let world: MirrorWorld | undefined;
const bridges: BridgeChild[] = [];

after(async () => {
  for (const bridge of bridges) if (!bridge.exited()) await bridge.killAndWait('SIGTERM');
  await world?.close();
});

test('edits and deletes made on Slack and Discord while the bridge was stopped reach Fluxra and the other platform once, and not again at the next start', {
  timeout: 120_000,
}, async () => {
  world = await createMirrorWorld({ groups: 1, agentsPerGroup: 1 });
  await world.seedLinks();
  const activeWorld = world;
  const group = activeWorld.groups[0]!;
  const slackChannel = group.slackChannel!;
  const discordChannel = group.discordChannel!;
  const config = world.config({ mirror: { pollIntervalMs: 250, idlePollIntervalMs: 1_000, retryBaseMs: 200, retryMaxMs: 2_000 } });
  const start = async (): Promise<BridgeChild> => {
    const bridge = startBridgeChild({ config, env: activeWorld.env, dir: activeWorld.dir });
    bridges.push(bridge);
    await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started', 60_000);
    return bridge;
  };
  const inFluxra = (needle: string) =>
    [...activeWorld.fluxra.state.messages.values()].filter((m) => m.conversationId === group.conversationId && !m.deleted && m.content.includes(needle));
  const fluxraEdits = (): number => activeWorld.fluxra.requestsTo('editMessage').length;
  const fluxraDeletes = (): number => activeWorld.fluxra.requestsTo('deleteMessage').length;
  const onDiscord = (needle: string) => (activeWorld.discord.state.messages.get(discordChannel) ?? []).filter((m) => m.content.includes(needle));
  const onSlack = (needle: string) => activeWorld.slack.state.history(slackChannel).filter((m) => !m.deleted && m.text.includes(needle));

  const first = await start();
  await activeWorld.slack.waitForSocket();
  const slackEvent = activeWorld.slack.userMessage({ channel: slackChannel, user: SLACK_PEOPLE[0].id, text: 'slack original words' });
  await activeWorld.slack.deliverEvent(slackEvent);
  const slackTs = String(slackEvent['ts']);
  const discordMessage = activeWorld.discord.sendMessage({
    channelId: discordChannel,
    content: 'discord original words',
    author: { id: DISCORD_PEOPLE[0].id, username: DISCORD_PEOPLE[0].username },
  });
  const slackDoomed = activeWorld.slack.userMessage({ channel: slackChannel, user: SLACK_PEOPLE[0].id, text: 'slack doomed words' });
  await activeWorld.slack.deliverEvent(slackDoomed);
  const discordDoomed = activeWorld.discord.sendMessage({
    channelId: discordChannel,
    content: 'discord doomed words',
    author: { id: DISCORD_PEOPLE[0].id, username: DISCORD_PEOPLE[0].username },
  });
  await eventually(
    () => ['slack original', 'discord original', 'slack doomed', 'discord doomed'].every((needle) => inFluxra(needle).length === 1),
    'the messages in Fluxra',
    30_000,
  );
  await eventually(() => onDiscord('slack doomed').length === 1 && onSlack('discord doomed').length === 1, 'the doomed messages copied', 30_000);
  // The cross-posts: each message's copy on the other platform.
  await eventually(
    () => (activeWorld.discord.state.messages.get(discordChannel) ?? []).some((m) => m.content.includes('slack original words')),
    'the Slack message copied to Discord',
    30_000,
  );
  await eventually(() => activeWorld.slack.state.history(slackChannel).some((m) => m.text.includes('discord original words')), 'the Discord message copied to Slack', 30_000);
  assert.equal(await first.killAndWait('SIGTERM'), 0);
  assert.equal(fluxraEdits(), 0);

  // While the bridge is down: both people fix their messages; no event reaches the bridge.
  const slackRecord = activeWorld.slack.state.history(slackChannel).find((m) => m.ts === slackTs)!;
  slackRecord.text = 'slack fixed words';
  slackRecord.edited = { user: SLACK_PEOPLE[0].id, ts: activeWorld.slack.state.nextTs() };
  activeWorld.discord.editMessage(discordChannel, discordMessage.id, 'discord fixed words');
  activeWorld.slack.state.history(slackChannel).find((m) => m.ts === String(slackDoomed['ts']))!.deleted = true;
  activeWorld.discord.deleteMessage(discordChannel, discordDoomed.id);

  const second = await start();
  await eventually(() => inFluxra('slack fixed words').length === 1 && inFluxra('discord fixed words').length === 1, 'both edits in Fluxra', 30_000);
  await eventually(() => (activeWorld.discord.state.messages.get(discordChannel) ?? []).some((m) => m.content.includes('slack fixed words')), 'the Discord copy edited', 30_000);
  await eventually(() => activeWorld.slack.state.history(slackChannel).some((m) => m.text.includes('discord fixed words')), 'the Slack copy edited', 30_000);
  assert.equal(inFluxra('original words').length, 0, 'no copy keeps the old text');
  assert.equal(fluxraEdits(), 2, 'one Fluxra edit per edited message');
  await eventually(() => inFluxra('doomed').length === 0, 'both deletes in Fluxra', 30_000);
  await eventually(() => onDiscord('slack doomed').length === 0 && onSlack('discord doomed').length === 0, 'both copies deleted', 30_000);
  assert.equal(fluxraDeletes(), 2, 'one Fluxra delete per deleted message');
  assert.equal(await second.killAndWait('SIGTERM'), 0);

  // A further start reads the same edit marks again: nothing is edited twice.
  const third = await start();
  await third.waitForLog((line) => line['msg'] === 'channel caught up' && line['channel'] === `discord:${discordChannel}`, 'the Discord channel caught up', 30_000);
  await third.waitForLog((line) => line['msg'] === 'channel caught up' && line['channel'] === `slack:${slackChannel}`, 'the Slack channel caught up', 30_000);
  // Items of a channel are delivered in order: once a later message is in Fluxra, the edits read again were handled.
  await activeWorld.slack.deliverEvent(activeWorld.slack.userMessage({ channel: slackChannel, user: SLACK_PEOPLE[0].id, text: 'slack marker' }));
  activeWorld.discord.sendMessage({ channelId: discordChannel, content: 'discord marker', author: { id: DISCORD_PEOPLE[0].id, username: DISCORD_PEOPLE[0].username } });
  await eventually(() => inFluxra('slack marker').length === 1 && inFluxra('discord marker').length === 1, 'the markers in Fluxra', 30_000);
  assert.equal(fluxraEdits(), 2, 'no edit sent again at the next start');
  assert.equal(fluxraDeletes(), 2, 'no delete sent again at the next start');
});
