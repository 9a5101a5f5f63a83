import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgressStep } from '../../../src/sessions/progress.js';
import {
  clearsStatusAtFinish,
  closingChunk,
  newLiveTurn,
  type ProgressSettings,
  refreshTickMs,
  STREAM_TEXT_MAX,
  statusChange,
  statusExpired,
  statusRefreshDue,
  streamChunk,
  streamRef,
} from '../../../src/sessions/progress-display-rules.js';
import type { AgentSessionRecord, TurnRecord } from '../../../src/sessions/types.js';

// The schema's defaults (src/config/schema.ts).
const settings = { progressMinEditMs: 2_000, progressStatusRefreshMs: 90_000, progressTypingEveryMs: 8_000, progressTypingMaxMinutes: 10 } as ProgressSettings;

const tool = (id: string, text: string): ProgressStep => ({ id, kind: 'tool', text });
const said = (id: string, text: string): ProgressStep => ({ id, kind: 'text', text });

test('a first status is set at once; a change within the pace is only remembered; the same status does nothing', () => {
  assert.equal(statusChange({ status: '', statusSetAt: undefined }, 'thinking', 0, 2_000), 'set');
  assert.equal(statusChange({ status: 'thinking', statusSetAt: 1_000 }, 'running `npm test`', 2_500, 2_000), 'remember');
  assert.equal(statusChange({ status: 'thinking', statusSetAt: 1_000 }, 'running `npm test`', 3_000, 2_000), 'set');
  assert.equal(statusChange({ status: 'thinking', statusSetAt: 1_000 }, 'thinking', 60_000, 2_000), 'none');
});

test('a shown status is sent again after the refresh interval; nothing shown is never refreshed', () => {
  assert.equal(statusRefreshDue({ status: 'thinking', statusSetAt: 0 }, 89_999, 90_000), false);
  assert.equal(statusRefreshDue({ status: 'thinking', statusSetAt: 0 }, 90_000, 90_000), true);
  assert.equal(statusRefreshDue({ status: '', statusSetAt: 0 }, 200_000, 90_000), false);
  assert.equal(statusRefreshDue({ status: 'thinking', statusSetAt: undefined }, 200_000, 90_000), false);
});

test('Discord typing stops after its cap; Slack status lasts while the turn runs', () => {
  assert.equal(statusExpired({ platform: 'discord', startedAt: 0 }, 600_000, settings), false);
  assert.equal(statusExpired({ platform: 'discord', startedAt: 0 }, 600_001, settings), true);
  assert.equal(statusExpired({ platform: 'slack', startedAt: 0 }, 10 * 3_600_000, settings), false);
});

test('only Slack clears its status at the end, and only when one may be showing', () => {
  assert.equal(clearsStatusAtFinish('slack', true, false), true);
  assert.equal(clearsStatusAtFinish('slack', false, true), true, 'after a restart the memory is gone but the turn had progress');
  assert.equal(clearsStatusAtFinish('slack', false, false), false);
  assert.equal(clearsStatusAtFinish('discord', true, true), false);
});

test('the refresh round runs at half the shortest pace, never under 10 ms', () => {
  assert.equal(refreshTickMs(settings), 1_000);
  assert.equal(refreshTickMs({ ...settings, progressMinEditMs: 4 }), 10);
});

test('the stream opens with the first text, not with tool steps alone', () => {
  const steps = [tool('1', 'running `ls`'), said('2', 'Looking at the repo.')];
  assert.equal(streamChunk([steps[0] as ProgressStep], steps.slice(0, 1), false), undefined);
  assert.deepEqual(streamChunk(steps, steps, false), {
    text: 'Looking at the repo.\n\n',
    tasks: [{ id: '1', title: 'running `ls`', status: 'in_progress' }],
  });
});

test('an open stream gets new text, a new plan on new tool steps, and nothing when nothing is new', () => {
  const steps = [tool('1', 'running `ls`'), said('2', 'Found it.'), tool('3', 'running `npm test`')];
  assert.equal(streamChunk([], steps, true), undefined);
  assert.deepEqual(streamChunk([said('2', 'Found it.'), said('4', 'Next.')], steps, true), { text: 'Found it.\n\nNext.\n\n' });
  assert.deepEqual(streamChunk([tool('3', 'running `npm test`')], steps, true), {
    tasks: [
      { id: '1', title: 'running `ls`', status: 'complete' },
      { id: '3', title: 'running `npm test`', status: 'in_progress' },
    ],
  });
});

test('the stream closes with the answer when it fits, the plan finished either way', () => {
  const steps = [tool('1', 'running `ls`')];
  assert.deepEqual(closingChunk('Done.', steps), { chunk: { text: 'Done.', tasks: [{ id: '1', title: 'running `ls`', status: 'complete' }] }, fits: true });
  const long = closingChunk('x'.repeat(STREAM_TEXT_MAX + 1), steps);
  assert.equal(long.fits, false);
  assert.equal('text' in long.chunk, false);
  assert.equal(closingChunk(undefined, []).fits, false);
});

test('a live turn starts with nothing shown, in the thread of its placement', () => {
  const session = { channel: { platform: 'slack', channelId: 'C1' }, threadRoot: { platform: 'slack', channelId: 'C1', messageId: '1700000000.000100' } } as AgentSessionRecord;
  const turn = { id: 't1', startedAt: 42, placement: { threadRootId: '1700000009.000900' } } as TurnRecord;
  assert.deepEqual(newLiveTurn(session, turn), {
    turnId: 't1',
    platform: 'slack',
    thread: { platform: 'slack', channelId: 'C1', threadRootId: '1700000009.000900' },
    startedAt: 42,
    status: '',
    statusSetAt: undefined,
    listShownAt: undefined,
    listPending: undefined,
    stream: undefined,
  });
  assert.equal(newLiveTurn(session, { ...turn, placement: undefined } as TurnRecord).thread.threadRootId, '1700000000.000100');
  assert.deepEqual(streamRef('slack', { ts: '1700000010.000100', channelId: 'C1', threadRootId: '1700000000.000100' }), {
    platform: 'slack',
    channelId: 'C1',
    messageId: '1700000010.000100',
    threadRootId: '1700000000.000100',
  });
});
