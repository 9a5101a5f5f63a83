/**
 * The health endpoint for orchestrators and Prometheus: `/healthz` answers while the
 * process is alive; `/readyz` runs the registered readiness checks and answers 503 naming
 * the parts that fail (and while the bridge shuts down, so that a load balancer stops
 * sending it work); `/metrics` serves the injected metrics in Prometheus text format, to
 * holders of the bearer token when one is configured (the probes stay open: orchestrators
 * call them without credentials).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from '../core/errors.js';
import { eventLoopStalled, type LivenessGuard, startLivenessGuard } from './liveness-guard.js';

/** Resolves when the part is ready; rejects (with a short reason) when it is not. */
export type ReadinessCheck = () => Promise<void>;

export interface HealthServerConfig {
  port: number;
  host: string;
  /** When set, `/metrics` requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
  /** The liveness guard's bound (see `liveness-guard.ts`); 0 or absent: no guard. */
  eventLoopBlockedMs?: number | undefined;
  /** Bound of each readiness check; a check slower than this fails. Default 1000. */
  checkTimeoutMs?: number | undefined;
}

/** What `/metrics` serves (a `BridgeMetrics`). */
export interface MetricsSource {
  render(): Promise<{ contentType: string; body: string }>;
}

export interface HealthServerDeps {
  metrics?: MetricsSource;
}

export interface HealthServer {
  /** Adds or replaces a named readiness check. */
  setCheck(name: string, check: ReadinessCheck): void;
  /** From now on `/readyz` answers 503 with `shutdown: shutting down` (`/healthz` stays 200). */
  markShuttingDown(): void;
  start(): Promise<{ port: number }>;
  close(): Promise<void>;
}

const DEFAULT_CHECK_TIMEOUT_MS = 1_000;

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
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

const send = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Does the request carry `Authorization: Bearer <token>`? Compared in constant time (over
 * digests, so that the length does not leak either). True when no token is required.
 */
export function bearerAccepted(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return false;
  return timingSafeEqual(digest(match[1] as string), digest(token));
}

export function createHealthServer(config: HealthServerConfig, deps: HealthServerDeps = {}): HealthServer {
  const checks = new Map<string, ReadinessCheck>();
  let shuttingDown = false;
  let server: Server | undefined;
  let guard: LivenessGuard | undefined;
  const boundMs = config.eventLoopBlockedMs ?? 0;

  /** `/healthz`: 200 while the event loop keeps up; 503 when a recent tick came half the bound late. */
  function liveness(res: ServerResponse): void {
    if (!guard) {
      send(res, 200, { status: 'ok' });
      return;
    }
    const delayMs = guard.worstDelayMs();
    const stalled = eventLoopStalled(delayMs, boundMs);
    send(res, stalled ? 503 : 200, { status: stalled ? 'event loop stalled' : 'ok', eventLoopDelayMs: delayMs, eventLoopBoundMs: boundMs });
  }

  async function readiness(res: ServerResponse): Promise<void> {
    const results = await Promise.all([...checks].map(async ([name, check]) => [name, await runCheck(check, config.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS)] as const));
    if (shuttingDown) results.push(['shutdown', 'shutting down']);
    const failing = results.filter(([, reason]) => reason !== undefined).map(([name]) => name);
    const ok = failing.length === 0;
    send(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks: Object.fromEntries(results.map(([name, reason]) => [name, reason ?? 'ok'])), failing });
  }

  async function metrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!bearerAccepted(req.headers.authorization, config.metricsToken)) {
      res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      return send(res, 401, { error: 'a bearer token is required' });
    }
    if (!deps.metrics) return send(res, 404, { error: 'metrics are not enabled' });
    try {
      const { contentType, body } = await deps.metrics.render();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(body);
    } catch (error) {
      send(res, 500, { error: describeError(error) });
    }
  }

  return {
    setCheck(name, check) {
      checks.set(name, check);
    },
    markShuttingDown() {
      shuttingDown = true;
    },
    async start() {
      server = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET') return send(res, 405, { error: 'method not allowed' });
        if (path === '/healthz') return liveness(res);
        if (path === '/readyz') return void readiness(res);
        if (path === '/metrics') return void metrics(req, res);
        return send(res, 404, { error: 'not found' });
      });
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject);
        server?.listen(config.port, config.host, () => resolve());
      });
      if (boundMs > 0 && !guard) guard = startLivenessGuard(boundMs);
      return { port: (server.address() as AddressInfo).port };
    },
    async close() {
      await guard?.stop();
      guard = undefined;
      if (!server) return;
      const current = server;
      server = undefined;
      // Keep-alive sockets of a scraper would hold close() open for their idle timeout.
      current.closeIdleConnections();
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
}
