import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BridgeError, RateLimitedError, UpstreamError } from '../../../src/core/errors.js';
import { isPermanentForCopy } from '../../../src/delivery/post-once.js';
import { toOutbound } from '../../../src/mirror/from-fluxra/deliver.js';
import { contentHash, deliveredRecord, detectChange } from '../../../src/mirror/from-fluxra/fluxra-edits.js';
import type { FluxraMessage } from '../../../src/services/fluxra/index.js';

const message = (overrides: Partial<FluxraMessage> = {}): FluxraMessage => ({
  messageId: 'msg_1',
  conversationId: 'conv_1',
  senderId: 'agt_weather',
  senderName: 'weather-bot',
  content: 'Sunny, 21 °C',
  type: 'text',
  inReplyTo: null,
  mention: [],
  createdAt: '2026-04-03T20:00:00Z',
  editedAt: null,
  deleted: false,
  ...overrides,
});

describe('Fluxra edit and delete detection', () => {
  const delivered = deliveredRecord(message(), 1);

  test('an unchanged message needs nothing', () => {
    assert.equal(detectChange(delivered, message()), undefined);
  });

  test('changed content is an edit', () => {
    assert.equal(detectChange(delivered, message({ content: 'Rain, 12 °C', editedAt: '2026-04-03T20:05:00Z' })), 'edit');
  });

  test('an edited_at without a content change needs no platform edit', () => {
    assert.equal(detectChange(delivered, message({ editedAt: '2026-04-03T20:05:00Z' })), undefined);
  });

  test('a message that reads deleted is a delete, once', () => {
    const gone = message({ content: '', deleted: true });
    assert.equal(detectChange(delivered, gone), 'delete');
    assert.equal(detectChange(deliveredRecord(gone, 2), gone), undefined);
  });

  test('messages never delivered are not followed', () => {
    assert.equal(detectChange(undefined, message({ content: 'other', deleted: true })), undefined);
  });

  test('the record keeps a hash, not the text', () => {
    assert.equal(delivered.contentHash, contentHash('Sunny, 21 °C'));
    assert.equal(JSON.stringify(delivered).includes('Sunny'), false);
    assert.notEqual(contentHash('a'), contentHash('b'));
  });
});

describe('Fluxra message to platform message', () => {
  test('posts under the sender name, else the sender id', () => {
    assert.deepEqual(toOutbound(message()), { text: 'Sunny, 21 °C', as: { name: 'weather-bot' } });
    assert.deepEqual(toOutbound(message({ senderName: undefined })), { text: 'Sunny, 21 °C', as: { name: 'agt_weather' } });
    assert.deepEqual(toOutbound(message({ senderName: '  ' })).as, { name: 'agt_weather' });
  });

  test('only a non-retryable platform refusal that is not about our credentials skips a copy', () => {
    const slack = (detail: string, retryable = false) => new UpstreamError('SLACK_API_ERROR', 'x', { service: 'slack', status: 200, method: 'POST', url: 'u', detail, retryable });
    assert.equal(isPermanentForCopy(slack('channel_not_found')), true);
    assert.equal(isPermanentForCopy(new UpstreamError('DISCORD_API_ERROR', 'x', { service: 'discord', status: 403, method: 'POST', url: 'u' })), true);
    assert.equal(isPermanentForCopy(slack('invalid_auth')), false);
    assert.equal(isPermanentForCopy(slack('internal_error', true)), false);
    assert.equal(isPermanentForCopy(new UpstreamError('DISCORD_API_ERROR', 'x', { service: 'discord', status: 401, method: 'POST', url: 'u' })), false);
    assert.equal(isPermanentForCopy(new RateLimitedError('x', { service: 'slack', status: 429, method: 'POST', url: 'u', retryAfterMs: 1, retryAfterFromServer: true })), false);
    assert.equal(isPermanentForCopy(new UpstreamError('FLUXRA', 'x', { service: 'store', status: 0, method: 'GET', url: 'u' })), false);
    assert.equal(isPermanentForCopy(new BridgeError('OTHER', 'x')), false);
  });
});
