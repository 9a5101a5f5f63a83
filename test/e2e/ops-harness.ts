/**
 * Helpers for the operations tests: read `/metrics` as Prometheus text (a small parser of
 * the exposition format, so that the tests read what a scraper reads), `/readyz`, and wait
 * for a condition by polling it rather than by sleeping a guessed time.
 */
import { eventually } from '../support/eventually.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition (comments skipped, label values unescaped). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/g, (_all, ch: string) => (ch === 'n' ? '\n' : ch));
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the sample with this name whose labels include `labels`; undefined when absent. */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;
}

/** `token`: the bearer token `/metrics` requires when the bridge has METRICS_TOKEN. */
export async function scrape(base: string, token?: string): Promise<Sample[]> {
  const res = await fetch(`${base}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${await res.text()}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain')) throw new Error(`/metrics content-type ${type}`);
  return parseMetrics(await res.text());
}

export interface Readiness {
  status: number;
  body: { status: string; checks: Record<string, string>; failing: string[] };
}

export async function readiness(base: string): Promise<Readiness> {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness['body'] };
}

/**
 * `eventually` for probes of a process that may not answer yet (connection refused while it
 * starts): an error counts as "not yet", and the last one is named if time runs out.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  let lastError: unknown;
  const tolerant = async (): Promise<T | undefined> => {
    try {
      return await probe();
    } catch (error) {
      lastError = error;
      return undefined;
    }
  };
  try {
    return await eventually(tolerant, what, timeoutMs);
  } catch (error) {
    throw lastError === undefined ? error : new Error(`${(error as Error).message}: ${String(lastError)}`);
  }
}

/** Scrapes until the sample reaches at least `min`; returns every sample of that scrape. */
export async function waitForMetric(base: string, name: string, labels: Record<string, string>, min: number, timeoutMs?: number, token?: string): Promise<Sample[]> {
  return waitFor(
    async () => {
      const samples = await scrape(base, token);
      const value = sampleValue(samples, name, labels);
      return value !== undefined && value >= min ? samples : undefined;
    },
    `${name}${JSON.stringify(labels)} >= ${min}`,
    timeoutMs,
  );
}

/** A private redis-server (the machine's binary) on a free port, with a password, for one test file. */
export interface PrivateRedis {
  readonly url: string;
  readonly password: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** `port`: reuse one (to bring a stopped Redis back where its clients look for it). */
export async function startPrivateRedis(password: string, fixedPort?: number): Promise<PrivateRedis> {
  const { spawn } = await import('node:child_process');
  const { createServer } = await import('node:net');
  const port =
    fixedPort ??
    (await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    }));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
    void exited.then(() => reject(new Error(`redis-server exited:\n${out}`)));
  });
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    password,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
