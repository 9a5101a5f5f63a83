/**
 * The exactly-once Fluxra send against the real client and the fake Fluxra, with its
 * progress in a real SQLite store.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { Agent } from 'undici';
import { RateLimitedError, UpstreamError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { createFluxraSendOnce, type FluxraSendOnce, type MessageProgress, surelyNotSent } from '../../../src/mirror/to-fluxra/fluxra-send.js';
import { createFluxraClient, FluxraApiError } from '../../../src/services/fluxra/index.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra } from '../../../src/simulators/fluxra.js';
import { createStore, type Store } from '../../../src/store/index.js';

let dir = '';
let store: Store;
let fake: FakeFluxra;
let agent: FakeAgentCredentials;
let dispatcher: Agent;
let conversationId = '';
let sendOnce: FluxraSendOnce;
let client: ReturnType<typeof createFluxraClient>;
const fluxraClient = () => client;
const signal = new AbortController().signal;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mirror-send-'));
  store = await createStore({ path: join(dir, 'bridge.db') }, { logger: silentLogger() });
  fake = await createFakeFluxra();
  agent = fake.createAgent({ agentName: 'bridge' });
  conversationId = fake.createConversation({ creatorId: agent.agentId }).conversationId;
  dispatcher = new Agent();
  const fluxra = (client = createFluxraClient({
    baseUrl: fake.url,
    agentId: agent.agentId,
    apiKey: agent.apiKey,
    dispatcher,
    requestTimeoutMs: 2_000,
    tokenLifetimeFallbackSeconds: 3_600,
    renewBeforeExpirySeconds: 60,
    maxRetries: 2,
    retryBackoffMs: 5,
    rateLimitBackoffMs: 5,
  }));
  sendOnce = createFluxraSendOnce({
    fluxra,
    progress: store.kv<MessageProgress>('mirror-progress'),
    messageMap: store.messageMap,
    cursors: store.cursors,
    selfAgentId: agent.agentId,
    progressTtlMs: 60_000,
    logger: silentLogger(),
  });
});

afterEach(async () => {
  await store.close();
  await fake.close();
  await dispatcher.close();
  await rm(dir, { recursive: true, force: true });
});

const sentContents = () => [...fake.state.messages.values()].filter((m) => m.conversationId === conversationId).map((m) => m.content);
const progressOf = (key: string) => store.kv<MessageProgress>('mirror-progress').get(key);

test('sends each part in order once and records every id', async () => {
  const progress: MessageProgress = { conversationId, parts: [{ content: 'part one' }, { content: 'part two' }] };
  const ids = await sendOnce.sendParts('k1', progress, signal);
  assert.deepEqual(sentContents(), ['part one', 'part two']);
  assert.equal(ids.length, 2);
  assert.deepEqual(
    (await progressOf('k1'))?.parts.map((p) => p.fluxraId),
    ids,
  );
  // Delivered again (a duplicate event, or a retry after a later step failed): nothing is sent.
  assert.deepEqual(await sendOnce.sendParts('k1', (await progressOf('k1')) as MessageProgress, signal), ids);
  assert.equal(fake.requestsTo('sendMessage').length, 2);
});

test('a 5xx on a send is never resent blindly: the next attempt reads first, finds nothing, and sends once', async () => {
  fake.inject({ kind: 'status', status: 502, json: { error: { code: 'BAD_GATEWAY', message: 'proxy' } } }, { route: 'sendMessage' });
  const progress: MessageProgress = { conversationId, parts: [{ content: 'hello' }] };
  await assert.rejects(sendOnce.sendParts('k2', progress, signal), (error: unknown) => error instanceof FluxraApiError && error.status === 502);
  assert.equal(fake.requestsTo('sendMessage').length, 1, 'the client does not repeat a non-idempotent send');
  const stored = (await progressOf('k2')) as MessageProgress;
  assert.ok(stored.parts[0]?.intentAt !== undefined, 'the intent stays for the reconcile');
  await sendOnce.sendParts('k2', stored, signal);
  assert.equal(fake.requestsTo('listMessages').length, 1);
  assert.deepEqual(sentContents(), ['hello']);
});

test('a send that reached Fluxra before its answer was lost is adopted, not repeated', async () => {
  const intentAt = Date.now();
  await store.kv<MessageProgress>('mirror-progress').set('k3', { conversationId, parts: [{ content: 'landed', intentAt }] });
  const landed = fake.postAs(agent.agentId, { conversationId, content: 'landed' });
  const ids = await sendOnce.sendParts('k3', (await progressOf('k3')) as MessageProgress, signal);
  assert.deepEqual(ids, [landed.messageId]);
  assert.equal(fake.requestsTo('sendMessage').length, 0);
});

test('a lost send buried under more than a page of newer messages is found from the cursor saved with the intent', async () => {
  const other = fake.createAgent({ agentName: 'chatty' });
  fake.addMembers(conversationId, [other.agentId]);
  fake.postAs(other.agentId, { conversationId, content: 'before' });
  const { cursor } = await fluxraClient().listMessages({ conversationId });
  await store.cursors.saveDelivered(conversationId, cursor as string);
  // The first attempt writes its intent with that cursor, and the send fails ambiguously.
  fake.inject({ kind: 'status', status: 503, json: { error: { code: 'UNAVAILABLE', message: 'down' } } }, { route: 'sendMessage' });
  await assert.rejects(sendOnce.sendParts('k7', { conversationId, parts: [{ content: 'buried' }] }, signal));
  const stored = (await progressOf('k7')) as MessageProgress;
  assert.equal(stored.parts[0]?.intentCursor, cursor);
  // What a send that did land looks like, followed by 150 messages while the bridge was down.
  const landed = fake.postAs(agent.agentId, { conversationId, content: 'buried' });
  for (let i = 0; i < 150; i += 1) fake.postAs(other.agentId, { conversationId, content: `later ${i}` });
  const [id] = await sendOnce.sendParts('k7', stored, signal);
  assert.equal(id, landed.messageId);
  assert.equal(fake.requestsTo('sendMessage').length, 1, 'only the first, failed attempt was a send');
});

test('the same text already claimed by another mirrored message is not taken for this one', async () => {
  const earlier = fake.postAs(agent.agentId, { conversationId, content: 'ok' });
  await store.messageMap.record(earlier.messageId, [{ platform: 'slack', channelId: 'C1', messageId: '1.1' }]);
  const other = fake.createAgent({ agentName: 'someone-else' });
  fake.addMembers(conversationId, [other.agentId]);
  fake.postAs(other.agentId, { conversationId, content: 'ok' });
  await store.kv<MessageProgress>('mirror-progress').set('k4', { conversationId, parts: [{ content: 'ok', intentAt: Date.now() - 1_000 }] });
  const [id] = await sendOnce.sendParts('k4', (await progressOf('k4')) as MessageProgress, signal);
  assert.notEqual(id, earlier.messageId);
  assert.equal(fake.requestsTo('sendMessage').length, 1, 'sent, because no unclaimed copy of ours exists');
});

test('a refusal clears the intent, so the next attempt sends without reading first', async () => {
  fake.inject({ kind: 'status', status: 403, json: { error: { code: 'FORBIDDEN', message: 'you have blocked this conversation' } } }, { route: 'sendMessage' });
  const progress: MessageProgress = { conversationId, parts: [{ content: 'refused once' }] };
  await assert.rejects(sendOnce.sendParts('k5', progress, signal), (error: unknown) => error instanceof FluxraApiError && error.status === 403);
  const stored = (await progressOf('k5')) as MessageProgress;
  assert.equal(stored.parts[0]?.intentAt, undefined);
  await sendOnce.sendParts('k5', stored, signal);
  assert.equal(fake.requestsTo('listMessages').length, 0);
  assert.deepEqual(sentContents(), ['refused once']);
});

test('a reply keeps its in_reply_to on every part', async () => {
  const root = fake.postAs(agent.agentId, { conversationId, content: 'root' });
  await sendOnce.sendParts('k6', { conversationId, inReplyTo: root.messageId, parts: [{ content: 'a' }, { content: 'b' }] }, signal);
  const replies = [...fake.state.messages.values()].filter((m) => m.content === 'a' || m.content === 'b');
  assert.deepEqual(
    replies.map((m) => m.inReplyTo),
    [root.messageId, root.messageId],
  );
});

test('only failures that surely did not reach Fluxra count as unsent', () => {
  const details = { service: 'fluxra' as const, method: 'POST', url: 'http://x/api/messages' };
  assert.equal(surelyNotSent(new UpstreamError('UNREACHABLE', 'refused', { ...details, status: 0 })), true);
  assert.equal(surelyNotSent(new RateLimitedError('slow down', { ...details, status: 429, retryAfterMs: 10, retryAfterFromServer: false })), true);
  assert.equal(surelyNotSent(new UpstreamError('TIMEOUT', 'no answer', { ...details, status: 0 })), false);
  assert.equal(surelyNotSent(new UpstreamError('CONNECTION_LOST', 'reset', { ...details, status: 0 })), false);
  assert.equal(surelyNotSent(new FluxraApiError({ ...details, route: 'sendMessage', code: 'HTTP_503', status: 503, apiMessage: 'down', retryable: true })), false);
  assert.equal(surelyNotSent(new FluxraApiError({ ...details, route: 'sendMessage', code: 'INVALID_REQUEST', status: 400, apiMessage: 'bad', retryable: false })), true);
  assert.equal(surelyNotSent(new Error('store down')), false);
});
