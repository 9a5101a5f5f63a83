/**
 * The readiness checks `/readyz` runs, one per connection the bridge depends on. Each is
 * cheap: platform connections and Redis are read from state the libraries keep, the store
 * answers a ping, Fluxra holds a valid token (the cached one; an exchange only when it is due), and the Blocks key is judged from
 * Blocks' last answer (see `blocks-key.ts`) so that probes do not spend its rate budget.
 */
import type { BlocksKeyState } from './blocks-key.js';
import type { HealthServer } from './server.js';

export interface ReadinessParts {
  store: { ping(): Promise<void> };
  /** The platform adapters; those that cannot tell their connection state are skipped. */
  adapters: ReadonlyArray<{ readonly platform: string; connectionState?(): 'connected' | 'disconnected' | 'idle'; connectionProblem?(): string | undefined }>;
  fluxra?: { validToken(): Promise<unknown> };
  blocksKey?: BlocksKeyState;
  /** The shared rate budget's Redis connection, when clustered. */
  redis?: { isUp(): boolean; readonly where: string };
}

export function registerReadinessChecks(health: Pick<HealthServer, 'setCheck'>, parts: ReadinessParts): void {
  health.setCheck('store', () => parts.store.ping());
  for (const adapter of parts.adapters) {
    const state = adapter.connectionState?.bind(adapter);
    if (state === undefined) continue;
    const problem = adapter.connectionProblem?.bind(adapter);
    // `idle` passes: the connection is not this replica's to hold (clustered Discord), or the
    // bridge is starting or stopping, which the `started` and `shutdown` checks report.
    health.setCheck(adapter.platform, async () => {
      if (state() === 'disconnected') throw new Error(problem?.() ?? `not connected to ${adapter.platform} (reconnecting)`);
    });
  }
  const fluxra = parts.fluxra;
  if (fluxra) {
    health.setCheck('fluxra', async () => {
      await fluxra.validToken();
    });
  }
  if (parts.blocksKey) health.setCheck('blocks', parts.blocksKey.check);
  const redis = parts.redis;
  if (redis) {
    health.setCheck('redis', async () => {
      if (!redis.isUp()) throw new Error(`Redis at ${redis.where} is not connected`);
    });
  }
}
