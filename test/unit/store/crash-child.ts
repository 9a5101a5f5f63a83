/**
 * Child process of test/e2e/store-crash.test.ts: enqueues outbox items into the SQLite store
 * at argv[2] forever, printing each id only after `enqueue` has returned, until it is killed.
 * Other writes (message map, dedupe) run alongside so the kill lands among mixed traffic.
 */
import { silentLogger } from '../../../src/core/logger.js';
import { createStore } from '../../../src/store/index.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: crash-child.ts <db path>');

const store = await createStore({ path }, { logger: silentLogger() });
const partitions = ['slack:C1', 'discord:42', 'slack:C2'];
process.stdout.write('ready\n');

for (let n = 0; ; n += 1) {
  const partition = partitions[n % partitions.length]!;
  const pending = [
    store.outbox.enqueue(partition, { n, text: `item ${n} `.repeat(20) }),
    store.messageMap.record(`msg_${n}`, [{ platform: 'slack', channelId: 'C1', messageId: `${n}.0` }]),
    store.dedupe.seen(`event-${n}`),
  ] as const;
  const [id] = await Promise.all(pending);
  process.stdout.write(`${partition} ${n} ${id}\n`);
}
