/**
 * The crash test is only as strong as its checker: here the driver writes traffic into the
 * real fakes with no bridge running, a hand-made "perfect mirror" is written next to it, and
 * the checker must find nothing wrong; then each kind of fault is planted once and must be
 * found exactly once.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkMirror, summarize } from './support/mirror-checker.js';
import { createMirrorDriver, type MirrorDriver, type OriginMessage, type Side } from './support/mirror-driver.js';
import { createMirrorWorld, type MirrorWorld } from './support/mirror-world.js';

let world: MirrorWorld;
let driver: MirrorDriver;

before(async () => {
  world = await createMirrorWorld({ groups: 1 });
  driver = createMirrorDriver(world);
});

after(async () => {
  driver.close();
  await world.close();
});

const group = () => {
  const first = world.groups[0];
  assert.ok(first);
  return first;
};

/** Where `message`'s copy on `side` went, to thread replies under their root's copy. */
const copies = new Map<string, string>();

/** Writes the copy a correct bridge would write on `side`. */
function mirror(message: OriginMessage, side: Side, options: { topLevel?: boolean } = {}): string {
  const rootOnSide = message.root && !options.topLevel ? (message.root.side === side ? message.root.originId : copies.get(`${message.root.token}@${side}`)) : undefined;
  const text = `[someone · ${message.side}] ${message.text}`;
  let id: string;
  if (side === 'slack') {
    const ts = world.slack.state.nextTs();
    world.slack.state
      .history(group().slackChannel ?? '')
      .push({ ts, text, user: world.slack.botUserId, botId: world.slack.botId, reactions: [], ...(rootOnSide ? { threadTs: rootOnSide } : {}) });
    id = ts;
  } else if (side === 'discord') {
    const parent = group().discordChannel ?? '';
    if (rootOnSide && !world.discord.state.channels.has(rootOnSide)) world.discord.createThread(parent, 'thread', rootOnSide);
    id = world.discord.state.createMessage({ channelId: rootOnSide ?? parent, author: world.discord.state.botUser, content: text, webhookId: '1' }).id;
  } else {
    id = world.fluxra.postAs(world.bridgeAgent.agentId, { conversationId: group().conversationId, content: text, ...(rootOnSide ? { inReplyTo: rootOnSide } : {}) }).messageId;
  }
  copies.set(`${message.token}@${side}`, id);
  return id;
}

test('the checker finds a perfect three-way mirror perfect and each planted fault exactly once', () => {
  // Traffic from every side, with thread replies, written while no bridge listens.
  const sent: OriginMessage[] = [];
  for (let i = 0; i < 24; i += 1) {
    const side = (['slack', 'discord', 'fluxra'] as const)[i % 3] ?? 'slack';
    const roots = sent.filter((m) => m.side === side && !m.root);
    sent.push(driver.send(side, 0, i >= 12 && i % 2 === 0 ? roots[0] : undefined));
  }
  assert.equal(driver.messages.length, 24);
  assert.ok(driver.messages.every((m) => m.originId !== undefined));

  const before = checkMirror(world, driver.messages);
  assert.equal(before.expected, 48);
  assert.equal(before.missing, 48, summarize(before));
  assert.equal(before.delivered, 0);

  for (const message of sent) for (const side of ['slack', 'discord', 'fluxra'] as const) if (side !== message.side) mirror(message, side);
  const perfect = checkMirror(world, driver.messages);
  assert.deepEqual(
    {
      missing: perfect.missing,
      duplicated: perfect.duplicated,
      echoes: perfect.echoes,
      unknown: perfect.unknown,
      misthreaded: perfect.misthreaded,
      order: perfect.orderViolations,
      delivered: perfect.delivered,
    },
    { missing: 0, duplicated: 0, echoes: 0, unknown: 0, misthreaded: 0, order: 0, delivered: 48 },
    summarize(perfect),
  );

  // Planted faults, one of each, on fresh messages.
  const late = driver.send('slack', 0); // its Discord copy is missing
  mirror(late, 'fluxra');
  const twice = driver.send('discord', 0); // its Fluxra copy comes twice
  mirror(twice, 'slack');
  mirror(twice, 'fluxra');
  mirror(twice, 'fluxra');
  const echoed = driver.send('fluxra', 0); // comes back to Fluxra
  mirror(echoed, 'slack');
  mirror(echoed, 'discord');
  mirror(echoed, 'fluxra');
  const root = driver.send('slack', 0);
  mirror(root, 'discord');
  mirror(root, 'fluxra');
  const reply = driver.send('slack', 0, root); // its Fluxra copy lands top-level
  mirror(reply, 'discord');
  mirror(reply, 'fluxra', { topLevel: true });
  const first = driver.send('discord', 0); // copies reach Slack in the wrong order
  const second = driver.send('discord', 0);
  mirror(second, 'slack');
  mirror(first, 'slack');
  mirror(first, 'fluxra');
  mirror(second, 'fluxra');
  world.fluxra.postAs(world.bridgeAgent.agentId, { conversationId: group().conversationId, content: 'a notice nobody sent' });

  const faulty = checkMirror(world, driver.messages);
  assert.deepEqual(
    { missing: faulty.missing, duplicated: faulty.duplicated, echoes: faulty.echoes, unknown: faulty.unknown, misthreaded: faulty.misthreaded, order: faulty.orderViolations },
    { missing: 1, duplicated: 1, echoes: 1, unknown: 1, misthreaded: 1, order: 1 },
    summarize(faulty),
  );
  const tokenOf = (kind: string) => faulty.problems.find((p) => p.kind === kind)?.token;
  assert.equal(tokenOf('missing'), late.token);
  assert.equal(tokenOf('duplicated'), twice.token);
  assert.equal(tokenOf('echo'), echoed.token);
  assert.equal(tokenOf('misthreaded'), reply.token);
  assert.equal(tokenOf('order'), second.token);
});
