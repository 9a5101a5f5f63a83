/**
 * A liveness guard for a blocked event loop. `/healthz` cannot say that the loop is stuck
 * (it is served by that loop), and Docker's HEALTHCHECK only marks the container unhealthy:
 * nothing restarts it. So the main thread bumps a shared counter on a timer, and a worker
 * thread, which keeps running while the main thread is stuck, watches it: when the counter
 * has not moved for `boundMs`, the worker writes one fatal JSON line straight to stdout (the
 * worker's own `process.stdout` goes through the blocked main thread) and kills the process
 * with SIGKILL (a signal handler or `process.exit` would need the blocked loop), so that
 * Docker, compose or Kubernetes restart it; accepted work resumes from the store.
 */
import { Worker } from 'node:worker_threads';

export interface LivenessGuard {
  /** The worst lateness of the heartbeat timer over the last few beats, in ms. */
  worstDelayMs(): number;
  stop(): Promise<void>;
}

/** How `/healthz` reads the loop: stalled once a recent tick came half the bound late or later. */
export function eventLoopStalled(worstDelayMs: number, boundMs: number): boolean {
  return boundMs > 0 && worstDelayMs * 2 >= boundMs;
}

/** The heartbeat period: often enough to measure the bound finely, never busier than every 50 ms. */
export function heartbeatMs(boundMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(boundMs / 10)));
}

// Plain JavaScript run by the worker (eval: no loader, the same under tsx and in dist/).
const WATCHER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beats = new Int32Array(workerData.shared);
let last = Atomics.load(beats, 0);
let since = performance.now();
setInterval(() => {
  const now = performance.now();
  const current = Atomics.load(beats, 0);
  if (current !== last) { last = current; since = now; return; }
  const blockedMs = Math.round(now - since);
  if (blockedMs < workerData.boundMs) return;
  const line = { level: 60, time: Date.now(), service: 'fluxra-bridge', component: 'liveness', pid: process.pid, blockedMs, boundMs: workerData.boundMs,
    msg: 'the event loop has been blocked longer than health.eventLoopBlockedMs; killing the process so that the supervisor restarts it' };
  try { writeSync(1, JSON.stringify(line) + '\\n'); } finally { process.kill(process.pid, 'SIGKILL'); }
}, workerData.beatMs);
`;

/** Starts the watcher thread and the heartbeat; `boundMs` must be positive. */
export function startLivenessGuard(boundMs: number): LivenessGuard {
  const beatMs = heartbeatMs(boundMs);
  const shared = new SharedArrayBuffer(4);
  const beats = new Int32Array(shared);
  const worker = new Worker(WATCHER, { eval: true, workerData: { shared, boundMs, beatMs } });
  // Neither the worker nor the heartbeat keeps a stopping process alive.
  worker.unref();
  const recent: number[] = [];
  let expected = performance.now() + beatMs;
  const timer = setInterval(() => {
    Atomics.add(beats, 0, 1);
    const now = performance.now();
    recent.push(Math.max(0, now - expected));
    if (recent.length > 10) recent.shift();
    expected = now + beatMs;
  }, beatMs);
  timer.unref();
  return {
    worstDelayMs: () => Math.round(Math.max(0, ...recent)),
    async stop() {
      clearInterval(timer);
      await worker.terminate();
    },
  };
}
