/**
 * Kills a process that is writing to the SQLite store (SIGKILL, no chance to flush or close)
 * and checks that every item whose enqueue had returned is there, in order, intact.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/core/logger.js';
import { createStore } from '../../src/store/index.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const childScript = fileURLToPath(new URL('../unit/store/crash-child.ts', import.meta.url));

interface Acked {
  partition: string;
  n: number;
  id: string;
}

async function runUntilKilled(dbPath: string, ackedBeforeKill: number): Promise<Acked[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, dbPath], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: Acked[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [partition, n, id] = line.split(' ');
      if (partition === undefined || n === undefined || id === undefined) continue;
      acked.push({ partition, n: Number(n), id });
      // Kill in the middle of the stream: more enqueues are in flight right now.
      if (acked.length === ackedBeforeKill) child.kill('SIGKILL');
    }
  });
  const signal = await exited;
  assert.equal(signal, 'SIGKILL', `child ended on its own before the kill: ${stderr}`);
  return acked;
}

test('after SIGKILL mid-stream, every enqueue that returned is in the outbox, in order, intact', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fluxra-store-crash-'));
  const dbPath = join(dir, 'bridge.db');
  try {
    const acked = await runUntilKilled(dbPath, 150);
    assert.ok(acked.length >= 150);

    // Opening runs SQLite's integrity check and refuses a damaged file.
    const store = await createStore({ path: dbPath }, { logger: silentLogger() });
    try {
      const partitions = await store.outbox.partitions();
      assert.deepEqual([...partitions].sort(), ['discord:42', 'slack:C1', 'slack:C2']);
      let total = 0;
      for (const partition of partitions) {
        const entries = await store.outbox.peek<{ n: number; text: string }>(partition, 10_000);
        total += entries.length;
        const stored = new Map(entries.map((entry) => [entry.id, entry]));
        const ackedHere = acked.filter((a) => a.partition === partition);
        for (const a of ackedHere) {
          const entry = stored.get(a.id);
          assert.ok(entry !== undefined, `acknowledged item ${a.id} (n=${a.n}) is missing from ${partition}`);
          assert.equal(entry.item.n, a.n);
          assert.equal(entry.item.text, `item ${a.n} `.repeat(20));
        }
        // In order, and nothing but whole items: ids ascend with n, and beyond the
        // acknowledged ones only the few that were committed but not yet printed.
        assert.deepEqual(
          entries.map((e) => e.item.n),
          [...entries.map((e) => e.item.n)].sort((x, y) => x - y),
        );
        assert.deepEqual(
          entries.map((e) => e.id),
          [...entries.map((e) => e.id)].sort(),
        );
        assert.ok(entries.length - ackedHere.length <= 1, `${entries.length - ackedHere.length} unacknowledged items in ${partition}`);
      }
      assert.equal(await store.outbox.depth(), total);
      // The other writes of the same process are readable too.
      const last = acked[acked.length - 1]!;
      assert.equal(await store.messageMap.fluxraIdOf({ platform: 'slack', channelId: 'C1', messageId: `${last.n}.0` }), `msg_${last.n}`);
      assert.equal(await store.dedupe.seen(`event-${last.n}`), true);
      // The store keeps working after the crash, and new items queue behind the old ones.
      const fresh = await store.outbox.enqueue('slack:C1', { n: -1, text: 'after' });
      const slack = await store.outbox.peek('slack:C1', 10_000);
      assert.equal(slack[slack.length - 1]?.id, fresh);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
