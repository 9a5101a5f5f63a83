import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeSlackTimestamp } from '../../../../src/platforms/slack/request-freshness.js';

test('a Slack timestamp is fresh within 300 s either way, stale or early beyond, missing when unreadable', () => {
  const now = 1_800_000_000_000;
  const at = (offsetSeconds: number): string => String(now / 1000 + offsetSeconds);
  assert.equal(judgeSlackTimestamp(at(0), now), 'fresh');
  assert.equal(judgeSlackTimestamp(at(300), now), 'fresh');
  assert.equal(judgeSlackTimestamp(at(-300), now), 'fresh');
  assert.equal(judgeSlackTimestamp(at(301), now), 'too-new');
  assert.equal(judgeSlackTimestamp(at(-301), now), 'too-old');
  assert.equal(judgeSlackTimestamp(at(86_400 * 365), now), 'too-new');
  assert.equal(judgeSlackTimestamp([at(10), at(9_999)], now), 'fresh');
  for (const bad of [undefined, '', 'soon', '-5', '1.5e9', '99999999999999999']) assert.equal(judgeSlackTimestamp(bad, now), 'missing', String(bad));
});
