/**
 * The health endpoint for orchestrators: `/healthz` answers while the process is alive;
 * `/readyz` runs the registered readiness checks and answers 503 naming the parts that
 * fail. Metrics join it later on the same server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from '../errors.js';

/** Resolves when the part is ready; rejects (with a short reason) when it is not. */
export type ReadinessCheck = () => Promise<void>;

export interface HealthServerConfig {
  port: number;
  host: string;
}

export interface HealthServer {
  /** Adds or replaces a named readiness check. */
  setCheck(name: string, check: ReadinessCheck): void;
  start(): Promise<{ port: number }>;
  close(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 3_000;

async function runCheck(check: ReadinessCheck): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return undefined;
  } catch (error) {
    return describeError(error);
  } finally {
    clearTimeout(timer);
  }
}

export function createHealthServer(config: HealthServerConfig): HealthServer {
  const checks = new Map<string, ReadinessCheck>();
  let server: Server | undefined;

  const send = (res: import('node:http').ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  return {
    setCheck(name, check) {
      checks.set(name, check);
    },
    async start() {
      server = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET') return send(res, 405, { error: 'method not allowed' });
        if (path === '/healthz') return send(res, 200, { status: 'ok' });
        if (path === '/readyz') {
          void Promise.all([...checks].map(async ([name, check]) => [name, await runCheck(check)] as const)).then((results) => {
            const failing = Object.fromEntries(results.filter(([, reason]) => reason !== undefined));
            const ok = Object.keys(failing).length === 0;
            send(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks: Object.fromEntries(results.map(([name, reason]) => [name, reason ?? 'ok'])), failing: Object.keys(failing) });
          });
          return undefined;
        }
        return send(res, 404, { error: 'not found' });
      });
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject);
        server?.listen(config.port, config.host, () => resolve());
      });
      return { port: (server.address() as AddressInfo).port };
    },
    async close() {
      if (!server) return;
      const current = server;
      server = undefined;
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
}
