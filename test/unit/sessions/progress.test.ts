import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlocksMessage } from '../../../src/services/blocks/types.js';
import { absorbItems, countsText, describeToolCall, displayDue, emptyProgress, statusTextOf, stepListText, useCompletionLink } from '../../../src/sessions/progress.js';
import { planTasks, statusRefresh } from '../../../src/sessions/progress-display-rules.js';

/** Items as spec/blocks-api.md §5.4 shows them (fractional ts, one thread). */
function item(id: string, type: BlocksMessage['type'], message: string, ts: number): BlocksMessage {
  return { id, chatId: 's', chatThreadId: 't', taskId: 'k', role: 'assistant', type, message, ts, createdAt: null, updatedAt: null };
}

test('tool calls read as what runs, whatever shape their arguments take', () => {
  assert.equal(describeToolCall('{"__name__":"bash","input":"npm test"}'), 'running `bash npm test`');
  assert.equal(describeToolCall('{"__name__":"read_file","path":"src/a.ts"}'), 'running `read_file src/a.ts`');
  assert.equal(describeToolCall('{"__name__":"edit","input":{"file_path":"x.ts","old":"a"}}'), 'running `edit x.ts`');
  assert.equal(describeToolCall('{"__name__":"think"}'), 'running `think`');
  assert.equal(describeToolCall('not json'), 'running not json');
  assert.equal(describeToolCall('{"__name__":"bash","input":"echo `x`"}'), "running `bash echo 'x'`");
});

test('items are taken in once by id, the final answer copy is not a step, the cursor moves', () => {
  const first = absorbItems(
    emptyProgress(),
    [item('a', 'message', 'Looking at the tests', 1.5), item('b', 'tool_call', '{"__name__":"bash","input":"npm test"}', 1.6)],
    undefined,
    '1.6',
  );
  assert.deepEqual(
    first.fresh.map((step) => step.text),
    ['Looking at the tests', 'running `bash npm test`'],
  );
  assert.equal(first.progress.cursor, '1.6');
  // An overlapping read (same second) brings b again, then the final with its duplicate message.
  const final = item('d', 'final_message', 'All green.', 2.1);
  const second = absorbItems(first.progress, [item('b', 'tool_call', '{"__name__":"bash","input":"npm test"}', 1.6), item('c', 'message', 'All green.', 2.1), final], final, '2.1');
  assert.deepEqual(second.fresh, []);
  assert.equal(second.progress.toolCalls, 1);
  assert.equal(second.progress.messages, 1);
  assert.deepEqual(second.progress.seenIds, ['a', 'b', 'c', 'd']);
  assert.equal(absorbItems(second.progress, [], undefined, undefined).progress.cursor, '2.1');
});

test('the cursor-less completion link is read every Nth round, always when progress is off or the turn has no thread', () => {
  const rounds = Array.from({ length: 13 }, (_, round) => useCompletionLink('steps', true, round, 6));
  assert.deepEqual(
    rounds.map((link, round) => (link ? round : -1)).filter((round) => round >= 0),
    [6, 12],
  );
  assert.equal(useCompletionLink('off', true, 1, 6), true);
  assert.equal(useCompletionLink('status', false, 1, 6), true);
  assert.equal(useCompletionLink('status', true, 0, 6), false);
});

test('the status line names the newest step; the step list shows the last N and the counts', () => {
  assert.equal(statusTextOf(undefined), 'is working…');
  assert.equal(statusTextOf({ id: 'x', kind: 'tool', text: 'running `npm test`' }), 'is running `npm test`…');
  assert.ok(statusTextOf({ id: 'y', kind: 'text', text: 'a'.repeat(300) }).length <= 91);
  const items = [1, 2, 3, 4].map((n) => item(`t${n}`, 'tool_call', `{"__name__":"bash","input":"step ${n}"}`, n));
  const { progress } = absorbItems(emptyProgress(), [...items, item('m', 'message', 'Half way', 5)], undefined, '5');
  assert.equal(countsText(progress), '5 steps: 4 tool calls, 1 message');
  assert.equal(stepListText('claude is working…', progress, 2), 'claude is working…\n• running `bash step 4`\n• _Half way_\n5 steps: 4 tool calls, 1 message');
  assert.equal(stepListText('claude is working…', emptyProgress(), 2), 'claude is working…');
});

test('the plan marks every tool step done but the newest, all of them once finished', () => {
  const steps = [
    { id: 'a', kind: 'tool' as const, text: 'running `x`' },
    { id: 'b', kind: 'text' as const, text: 'hm' },
    { id: 'c', kind: 'tool' as const, text: 'running `y`' },
  ];
  assert.deepEqual(
    planTasks(steps, false).map((task) => task.status),
    ['complete', 'in_progress'],
  );
  assert.deepEqual(
    planTasks(steps, true).map((task) => task.status),
    ['complete', 'complete'],
  );
});

test('throttle and refresh: Slack refreshes its status while the turn runs, Discord types for a capped time', () => {
  assert.equal(displayDue(undefined, 0, 2_000), true);
  assert.equal(displayDue(1_000, 2_500, 2_000), false);
  assert.equal(displayDue(1_000, 3_000, 2_000), true);
  const sessions = { progressTypingEveryMs: 8_000, progressTypingMaxMinutes: 10, progressStatusRefreshMs: 90_000 } as Parameters<typeof statusRefresh>[1];
  assert.deepEqual(statusRefresh('slack', sessions), { everyMs: 90_000, forMs: undefined });
  assert.deepEqual(statusRefresh('discord', sessions), { everyMs: 8_000, forMs: 600_000 });
});
