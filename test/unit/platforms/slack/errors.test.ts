import assert from 'node:assert/strict';
import { test } from 'node:test';
import bolt from '@slack/bolt';
import { clientMayRepeat, UNREPEATABLE_METHODS } from '../../../../src/platforms/slack/errors.js';

const { webApi } = bolt;

test('chat.postMessage is unrepeatable; reads and edits are not', () => {
  assert.ok(UNREPEATABLE_METHODS.has('chat.postMessage'));
  for (const method of ['conversations.history', 'conversations.replies', 'chat.update', 'chat.delete']) assert.equal(UNREPEATABLE_METHODS.has(method), false, method);
});

test('a post is repeated by the client only after a 429 it waited out (Slack did nothing)', () => {
  // What the Web API client throws once it waited out a 429's Retry-After.
  assert.equal(clientMayRepeat(new Error('A rate limit was exceeded (url: https://slack.com/api/chat.postMessage, retry-after: 3)')), true);
});

test('a lost answer or an outage is not repeated blindly: Slack may have posted', () => {
  // The connection cut after Slack did the work (the fault matrix's timeout-after-arrival).
  assert.equal(clientMayRepeat(new webApi.WebAPIRequestError(new TypeError('fetch failed'))), false);
  assert.equal(clientMayRepeat(new webApi.WebAPIHTTPError(503, 'Service Unavailable', {}, '{"ok":false,"error":"service_unavailable"}')), false);
  assert.equal(clientMayRepeat(new Error('The operation was aborted due to timeout')), false);
  assert.equal(clientMayRepeat(undefined), false);
});
