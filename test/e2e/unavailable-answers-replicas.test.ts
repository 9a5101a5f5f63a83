/**
 * "Temporarily unavailable" across replicas: Slack may redeliver a mention to a replica other
 * than the one that answered it. Two answer books (one per replica) on one real Slack adapter
 * (real Bolt) against the fake Slack.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InboundEvent, InboundMessage } from '../../src/core/chat.js';
import { silentLogger } from '../../src/core/logger.js';
import { createUnavailableAnswers, MENTION_UNAVAILABLE_TEXT } from '../../src/sessions/unavailable-answers.js';
import { StoreError } from '../../src/store/index.js';
import { startSlackPair } from '../support/slack-harness.js';

const CHANNEL = 'C0ASK';
const unreachable = new StoreError('STORE_UNAVAILABLE', 'Redis does not answer');

const isMessage = (event: InboundEvent): event is InboundMessage => event.kind === 'message';

test('a mention answered "temporarily unavailable" by one replica is neither answered again nor started by another', { timeout: 30_000 }, async () => {
  const pair = await startSlackPair('socket');
  const replicaA = createUnavailableAnswers({ logger: silentLogger(), now: Date.now });
  const replicaB = createUnavailableAnswers({ logger: silentLogger(), now: Date.now });
  const notices = (): number => pair.fake.state.history(CHANNEL).filter((message) => message.text === MENTION_UNAVAILABLE_TEXT).length;
  try {
    const raw = pair.fake.userMessage({ channel: CHANNEL, user: 'UADA', text: `<@${pair.fake.botUserId}> fix the build` });
    const other = pair.fake.userMessage({ channel: CHANNEL, user: 'UADA', text: `<@${pair.fake.botUserId}> and the docs` });

    // First delivery, on replica A, while the store does not answer: A answers it.
    await pair.fake.deliverEvent(raw, { eventId: 'Ev1' });
    const first = (await pair.waitForEvent((event) => event.eventId.endsWith(String(raw['ts'])) && event.kind === 'message', 'the first delivery')) as InboundMessage;
    assert.equal(first.retryNum, undefined);
    await replicaA.answerIfUnavailable(first, pair.adapter, unreachable);
    assert.equal(notices(), 1);

    // Slack delivers it again, to replica B, the store still away: refused silently.
    await pair.fake.deliverEvent(raw, { eventId: 'Ev1', retryNum: 1 });
    const again = (await pair.waitForEvent((event) => isMessage(event) && event.eventId === first.eventId && (event.retryNum ?? 0) > 0, 'the redelivery')) as InboundMessage;
    assert.equal(again.retryNum, 1);
    await replicaB.answerIfUnavailable(again, pair.adapter, unreachable);
    assert.equal(notices(), 1, 'a redelivery is not answered a second time');

    // The store is back: B finds A's answer in the thread and starts no session from it.
    assert.equal(await replicaB.answered(again, pair.adapter), true);
    assert.equal(await replicaA.answered(first, pair.adapter), true, 'A remembers its own answer');

    // A redelivered mention nobody answered (the first try was lost otherwise) is taken.
    await pair.fake.deliverEvent(other, { eventId: 'Ev2', retryNum: 1 });
    const unanswered = (await pair.waitForEvent((event) => event.eventId.endsWith(String(other['ts'])), 'the other mention')) as InboundMessage;
    assert.equal(await replicaB.answered(unanswered, pair.adapter), false);
  } finally {
    await pair.stop();
  }
});
