import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { silentLogger } from '../../../src/core/logger.js';
import { createOutboxWorker, type DeliveryHandler, type OutboxWorker } from '../../../src/delivery/runner.js';
import { createStore, type Store } from '../../../src/store/index.js';

interface Job {
  n: number;
}

let dir = '';
let store: Store;
const workers: OutboxWorker[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mirror-worker-'));
  store = await createStore({ path: join(dir, 'bridge.db') }, { logger: silentLogger() });
});

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function startWorker(handle: DeliveryHandler<Job>, extra: { concurrency?: number; stopTimeoutMs?: number } = {}): OutboxWorker {
  const worker = createOutboxWorker<Job>({ outbox: store.outbox, ownsPartition: (partition) => partition.startsWith('mirror:'), handle, logger: silentLogger(), ...extra });
  workers.push(worker);
  return worker;
}

async function enqueue(worker: OutboxWorker, partition: string, n: number): Promise<void> {
  await store.outbox.enqueue<Job>(partition, { n });
  worker.notify(partition);
}

/** Resolves once `check` holds, looking after every delivery the handler reports. */
function until(check: () => boolean, changed: EventTarget): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve) => {
    const listener = () => {
      if (!check()) return;
      changed.removeEventListener('delivered', listener);
      resolve();
    };
    changed.addEventListener('delivered', listener);
  });
}

test('delivers each partition in order, picks up work queued while it runs, and empties the outbox', async () => {
  const seen = new Map<string, number[]>();
  const changed = new EventTarget();
  const worker = startWorker(async (entry) => {
    seen.set(entry.partition, [...(seen.get(entry.partition) ?? []), entry.item.n]);
    changed.dispatchEvent(new Event('delivered'));
    return { kind: 'done' };
  });
  await worker.start();
  for (let n = 0; n < 30; n += 1) {
    await enqueue(worker, 'mirror:a', n);
    await enqueue(worker, 'mirror:b', 100 + n);
  }
  await until(() => (seen.get('mirror:a')?.length ?? 0) === 30 && (seen.get('mirror:b')?.length ?? 0) === 30, changed);
  await worker.idle();
  assert.deepEqual(
    seen.get('mirror:a'),
    Array.from({ length: 30 }, (_, n) => n),
  );
  assert.deepEqual(
    seen.get('mirror:b'),
    Array.from({ length: 30 }, (_, n) => 100 + n),
  );
  assert.equal(await store.outbox.depth(), 0);
});

test('a failing head holds back its own partition only, and goes first once it succeeds', async () => {
  const order: number[] = [];
  const changed = new EventTarget();
  let failuresLeft = 3;
  const worker = startWorker(async (entry) => {
    if (entry.item.n === 1 && failuresLeft > 0) {
      failuresLeft -= 1;
      return { kind: 'retry', retryAt: Date.now() + 5, error: 'upstream down' };
    }
    order.push(entry.item.n);
    changed.dispatchEvent(new Event('delivered'));
    return { kind: 'done' };
  });
  await worker.start();
  await enqueue(worker, 'mirror:slow', 1);
  await enqueue(worker, 'mirror:slow', 2);
  await enqueue(worker, 'mirror:fast', 10);
  await until(() => order.includes(10), changed);
  assert.equal(order.includes(2), false, 'the item behind the failing head waits');
  await until(() => order.length === 3, changed);
  assert.deepEqual(
    order.filter((n) => n < 10),
    [1, 2],
  );
  assert.equal(failuresLeft, 0);
  await worker.idle();
  assert.equal(await store.outbox.depth('mirror:slow'), 0);
});

test('start recovers partitions left in the outbox, leaving other engines\u2019 partitions alone', async () => {
  await store.outbox.enqueue<Job>('mirror:left', { n: 1 });
  await store.outbox.enqueue<Job>('mirror:left', { n: 2 });
  await store.outbox.enqueue<Job>('sessions:other', { n: 3 });
  const seen: number[] = [];
  const changed = new EventTarget();
  const worker = startWorker(async (entry) => {
    seen.push(entry.item.n);
    changed.dispatchEvent(new Event('delivered'));
    return { kind: 'done' };
  });
  await worker.start();
  await until(() => seen.length === 2, changed);
  await worker.idle();
  assert.deepEqual(seen, [1, 2]);
  assert.equal(await store.outbox.depth('sessions:other'), 1);
});

test('never delivers from more partitions at once than its concurrency', async () => {
  let active = 0;
  let peak = 0;
  let delivered = 0;
  const changed = new EventTarget();
  const worker = startWorker(
    async () => {
      active += 1;
      peak = Math.max(peak, active);
      changed.dispatchEvent(new Event('active'));
      // Stay busy until a second partition is being delivered too (or, near the end when one
      // partition is left, a moment passes): the overlap is then certain, not a scheduling race.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 100);
        function done(): void {
          clearTimeout(timer);
          changed.removeEventListener('active', check);
          resolve();
        }
        function check(): void {
          if (active >= 2) done();
        }
        changed.addEventListener('active', check);
        check();
      });
      active -= 1;
      delivered += 1;
      changed.dispatchEvent(new Event('delivered'));
      return { kind: 'done' };
    },
    { concurrency: 2 },
  );
  for (let p = 0; p < 6; p += 1) for (let n = 0; n < 3; n += 1) await store.outbox.enqueue<Job>(`mirror:p${p}`, { n });
  await worker.start();
  await until(() => delivered === 18, changed);
  assert.equal(peak, 2);
});

test('a forced notify retries a waiting head at once', async () => {
  let calls = 0;
  const changed = new EventTarget();
  const worker = startWorker(async () => {
    calls += 1;
    changed.dispatchEvent(new Event('delivered'));
    // The first attempt asks for a retry an hour from now.
    return calls === 1 ? { kind: 'retry', retryAt: Date.now() + 3_600_000, error: 'paused' } : { kind: 'done' };
  });
  await worker.start();
  await enqueue(worker, 'mirror:paused', 1);
  await until(() => calls === 1, changed);
  await worker.idle();
  worker.notify('mirror:paused');
  await worker.idle();
  assert.equal(calls, 1, 'a plain notify respects the wait');
  worker.notify('mirror:paused', { force: true });
  await until(() => calls === 2, changed);
  await worker.idle();
  assert.equal(await store.outbox.depth('mirror:paused'), 0);
});

test('stop abandons a delivery that outlives its bound; the item stays queued and the handler sees the abort', async () => {
  let aborted = false;
  let entered: () => void = () => undefined;
  const inside = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const worker = startWorker(
    (_entry, signal) =>
      new Promise((resolve) => {
        entered();
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve({ kind: 'retry', retryAt: Date.now(), error: 'aborted' });
        });
      }),
    { stopTimeoutMs: 20 },
  );
  await worker.start();
  await enqueue(worker, 'mirror:stuck', 1);
  await inside;
  await worker.stop();
  assert.equal(aborted, true);
  assert.equal(await store.outbox.depth('mirror:stuck'), 1);
});

test('an item that waits (for another queue) keeps its place and its attempt count, and goes once it may', async () => {
  let ready = false;
  const attemptsSeen: number[] = [];
  const order: number[] = [];
  const changed = new EventTarget();
  const worker = startWorker(async (entry) => {
    attemptsSeen.push(entry.attempts);
    if (entry.item.n === 1 && !ready) return { kind: 'wait', retryAt: Date.now() + 5 };
    order.push(entry.item.n);
    changed.dispatchEvent(new Event('delivered'));
    return { kind: 'done' };
  });
  await worker.start();
  await enqueue(worker, 'mirror:w', 1);
  await enqueue(worker, 'mirror:w', 2);
  while (attemptsSeen.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(order, [], 'the later item waits behind it');
  ready = true;
  await until(() => order.length === 2, changed);
  await worker.idle();
  assert.deepEqual(order, [1, 2]);
  assert.ok(
    attemptsSeen.every((attempts) => attempts === 0),
    'waiting is not a failed attempt',
  );
  assert.equal(await store.outbox.depth(), 0);
  assert.equal(await store.deadLetters.count(), 0);
});
