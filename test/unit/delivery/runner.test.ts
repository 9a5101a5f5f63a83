import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { silentLogger } from '../../../src/core/logger.js';
import { createWorkRunner, type DrainResult, type DrainTurn, drainsAgain } from '../../../src/delivery/runner.js';

/** Lets timers and I/O run: a runner that spun on microtasks would never let this resolve. */
const timersRun = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

test('a key kicked while it may not be worked rests instead of draining again', () => {
  assert.equal(drainsAgain({ dirty: true, stopping: false, mayWork: false }), false);
  assert.equal(drainsAgain({ dirty: true, stopping: true, mayWork: true }), false);
  assert.equal(drainsAgain({ dirty: false, stopping: false, mayWork: true }), false);
  assert.equal(drainsAgain({ dirty: true, stopping: false, mayWork: true }), true);
});

test('a deposed leader leaves kicked work queued and does not spin', async () => {
  let leader = true;
  let drains = 0;
  const runner = createWorkRunner(
    {},
    {
      logger: silentLogger(),
      mayWork: () => leader,
      async drain(key) {
        drains += 1;
        // The term runs out during the drain, and new work for the key arrives meanwhile.
        leader = false;
        runner.kick(key);
        await nextTurn();
        return {};
      },
    },
  );
  runner.start();
  runner.kick('mirror:a');
  await runner.idle();
  await timersRun();
  assert.equal(drains, 1, 'no drain after the term ran out');
  assert.equal(runner.busy(), false);

  runner.kick('mirror:a');
  await timersRun();
  assert.equal(drains, 1, 'a kick while deposed does not drain');

  leader = true;
  runner.kick('mirror:a');
  await runner.idle();
  assert.equal(drains, 2, 'the next term drains the key again');
  await runner.stop();
});

test('a kick during a drain drains the key once more, one drain per key at a time', async () => {
  let running = 0;
  let most = 0;
  const seen: string[] = [];
  let kickedDuring = false;
  const runner = createWorkRunner(
    {},
    {
      logger: silentLogger(),
      async drain(key) {
        running += 1;
        most = Math.max(most, running);
        seen.push(key);
        if (!kickedDuring) {
          kickedDuring = true;
          runner.kick(key);
        }
        await nextTurn();
        running -= 1;
        return {};
      },
    },
  );
  runner.start();
  runner.kick('k');
  runner.kick('k');
  await runner.idle();
  assert.deepEqual(seen, ['k', 'k']);
  assert.equal(most, 1);
  await runner.stop();
});

test('a drain that asks for a retry is drained again at that time, and a failing drain is retried', async () => {
  const turns: Array<{ key: string; force: boolean }> = [];
  let failOnce = true;
  const runner = createWorkRunner(
    {},
    {
      logger: silentLogger(),
      retryAfterError: () => Date.now() + 5,
      async drain(key, turn: DrainTurn): Promise<DrainResult> {
        turns.push({ key, force: turn.force });
        if (key === 'fails' && failOnce) {
          failOnce = false;
          throw new Error('store unavailable');
        }
        return turns.filter((t) => t.key === key).length === 1 && key === 'later' ? { retryAt: Date.now() + 5 } : {};
      },
    },
  );
  runner.start();
  runner.kick('later');
  runner.kick('fails');
  await timersRun();
  await runner.idle();
  assert.deepEqual(turns.map((t) => t.key).sort(), ['fails', 'fails', 'later', 'later']);
  runner.kick('later', { force: true });
  await runner.idle();
  assert.equal(turns.at(-1)?.force, true);
  await runner.stop();
});

test('no more keys drain at once than the concurrency allows, and a stopped runner takes no work', async () => {
  let running = 0;
  let most = 0;
  const runner = createWorkRunner(
    { concurrency: 2 },
    {
      logger: silentLogger(),
      async drain() {
        running += 1;
        most = Math.max(most, running);
        await timersRun();
        running -= 1;
        return {};
      },
    },
  );
  runner.start();
  for (const key of ['a', 'b', 'c', 'd']) runner.kick(key);
  await runner.idle();
  assert.equal(most, 2);
  await runner.stop();
  runner.kick('e');
  assert.equal(runner.busy(), false);
});
