import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageRef } from '../../../src/core/chat.js';
import { continuedMessages, decideCopyFollowUp, strangerFollowUpText, threadRootsOfCopies } from '../../../src/sessions/thread-copies.js';

const DISCORD = { platform: 'discord' as const, channelId: '200' };

test('a thread message continues its thread root', () => {
  assert.deepEqual(continuedMessages({ ref: { ...DISCORD, messageId: '905', threadRootId: '900' } }), [{ ...DISCORD, messageId: '900' }]);
});

test("a Discord reply (type 19) continues the message it answers, and that message's thread", () => {
  // Replying inside the thread to the agent's answer there.
  const inThread = continuedMessages({
    ref: { ...DISCORD, messageId: '907', threadRootId: '900' },
    replyTo: { ref: { ...DISCORD, messageId: '903', threadRootId: '900' } },
  });
  assert.deepEqual(inThread, [
    { ...DISCORD, messageId: '900' },
    { ...DISCORD, messageId: '903' },
  ]);
  // Replying in the channel to the question itself.
  assert.deepEqual(continuedMessages({ ref: { ...DISCORD, messageId: '910' }, replyTo: { ref: { ...DISCORD, messageId: '900' } } }), [{ ...DISCORD, messageId: '900' }]);
});

test('a top-level message continues nothing, and a thread root is not its own reply', () => {
  assert.deepEqual(continuedMessages({ ref: { ...DISCORD, messageId: '900' } }), []);
  assert.deepEqual(continuedMessages({ ref: { ...DISCORD, messageId: '900', threadRootId: '900' } }), []);
});

test("the copies of a mirrored message stand for their threads' roots, the looked-up channel left out", () => {
  const copies: MessageRef[] = [
    { platform: 'slack', channelId: 'C1', messageId: '1.2', threadRootId: '1.1' },
    { ...DISCORD, messageId: '903', threadRootId: '900' },
    { platform: 'slack', channelId: 'C2', messageId: '5.5' },
    { platform: 'slack', channelId: 'C1', messageId: '1.3', threadRootId: '1.1' },
  ];
  assert.deepEqual(threadRootsOfCopies(copies, DISCORD), [
    { platform: 'slack', channelId: 'C1', messageId: '1.1' },
    { platform: 'slack', channelId: 'C2', messageId: '5.5' },
  ]);
});

const allowLists = { slackAllowedTeamIds: ['T1'], discordAllowedGuildIds: ['G1'] };

test('with allow-lists the organisation continues its sessions from any copy', () => {
  const decision = decideCopyFollowUp({
    isChannelSession: false,
    sessionPlace: { platform: 'slack', placeId: 'T1' },
    replierPlace: { platform: 'discord', placeId: 'G1' },
    tenancy: allowLists,
  });
  assert.deepEqual(decision, { kind: 'continue' });
});

test('a person of another tenant replying in a copy is refused (the session is not theirs to steer)', () => {
  const fromOtherGuild = decideCopyFollowUp({
    isChannelSession: false,
    sessionPlace: { platform: 'slack', placeId: 'T1' },
    replierPlace: { platform: 'discord', placeId: 'G2' },
    tenancy: allowLists,
  });
  assert.equal(fromOtherGuild.kind, 'refuse');
  // Without lists every place is a tenant of its own: another server is a stranger.
  const noLists = decideCopyFollowUp({
    isChannelSession: false,
    sessionPlace: { platform: 'discord', placeId: 'G1' },
    replierPlace: { platform: 'discord', placeId: 'G2' },
    tenancy: {},
  });
  assert.equal(noLists.kind, 'refuse');
  const sameGuild = decideCopyFollowUp({
    isChannelSession: false,
    sessionPlace: { platform: 'discord', placeId: 'G1' },
    replierPlace: { platform: 'discord', placeId: 'G1' },
    tenancy: {},
  });
  assert.equal(sameGuild.kind, 'continue');
  assert.match(strangerFollowUpText('claude', 'agent'), /another workspace or server.*\/agent/);
});

test('a channel bound to an agent takes no follow-ups from copies of its answers', () => {
  const decision = decideCopyFollowUp({
    isChannelSession: true,
    sessionPlace: { platform: 'slack', placeId: 'T1' },
    replierPlace: { platform: 'slack', placeId: 'T1' },
    tenancy: {},
  });
  assert.equal(decision.kind, 'ignore');
});
