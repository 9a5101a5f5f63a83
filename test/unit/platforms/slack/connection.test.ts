import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConnectionChange } from '../../../../src/core/chat.js';
import { createLogger } from '../../../../src/core/logger.js';
import { createSlackConnection, linkStoppedProblem, slackConnectionState } from '../../../../src/platforms/slack/connection.js';

describe('slackConnectionState', () => {
  test('a receiver that does not run is idle, whatever the socket says', () => {
    assert.equal(slackConnectionState('socket', false, true), 'idle');
    assert.equal(slackConnectionState('http', false, false), 'idle');
  });
  test('HTTP mode has no socket: a running receiver is connected', () => {
    assert.equal(slackConnectionState('http', true, false), 'connected');
  });
  test('Socket Mode is connected only while its socket is up', () => {
    assert.equal(slackConnectionState('socket', true, true), 'connected');
    assert.equal(slackConnectionState('socket', true, false), 'disconnected');
  });
});

describe('createSlackConnection', () => {
  const logger = createLogger({ level: 'silent' });

  test('follows start, socket state and stop', () => {
    const connection = createSlackConnection('socket', logger);
    assert.equal(connection.state(), 'idle');
    connection.started();
    assert.equal(connection.receiving, true);
    assert.equal(connection.state(), 'disconnected');
    connection.onSocketState(true);
    assert.equal(connection.state(), 'connected');
    connection.stopped();
    assert.equal(connection.receiving, false);
    assert.equal(connection.state(), 'idle');
    // A stop forgets the socket: the next start waits for it to come up again.
    connection.started();
    assert.equal(connection.state(), 'disconnected');
  });

  test('a link Slack ended for good is the connection problem, with the way out', () => {
    const connection = createSlackConnection('socket', logger);
    assert.equal(connection.problem(), undefined);
    connection.onLinkStopped('apps.connections.open disabled');
    assert.equal(connection.problem(), linkStoppedProblem('apps.connections.open disabled'));
    assert.match(connection.problem() ?? '', /turn Socket Mode back on/);
  });

  test('passes each change to every listener, in order', () => {
    const connection = createSlackConnection('socket', logger);
    const seen: Array<[string, ConnectionChange]> = [];
    connection.subscribe((change) => seen.push(['a', change]));
    connection.subscribe((change) => seen.push(['b', change]));
    connection.emit({ kind: 'interrupted' });
    connection.emit({ kind: 'restored', lost: false });
    assert.deepEqual(seen, [
      ['a', { kind: 'interrupted' }],
      ['b', { kind: 'interrupted' }],
      ['a', { kind: 'restored', lost: false }],
      ['b', { kind: 'restored', lost: false }],
    ]);
  });
});
