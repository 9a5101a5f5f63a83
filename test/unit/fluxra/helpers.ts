/**
 * Shared set-up for the Fluxra client tests: a fake Fluxra on loopback, a real undici Agent,
 * the real client, and a RateBudget that records what it was asked (it runs every job at once).
 */
import { Agent } from 'undici';
import type { BudgetSnapshot, RateBudget, ScheduleOptions } from '../../../src/ratelimit/types.js';
import { createFluxraClient } from '../../../src/services/fluxra/client.js';
import type { FluxraClient, FluxraClientOptions } from '../../../src/services/fluxra/types.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra, type FakeFluxraOptions } from '../../../src/simulators/fluxra.js';

export interface RecordingBudget extends RateBudget {
  scheduled: ScheduleOptions[];
  pauses: number[];
}

export function createRecordingBudget(): RecordingBudget {
  const scheduled: ScheduleOptions[] = [];
  const pauses: number[] = [];
  return {
    scheduled,
    pauses,
    schedule<T>(options: ScheduleOptions, send: () => Promise<T>): Promise<T> {
      scheduled.push(options);
      return send();
    },
    async pause(ms: number) {
      pauses.push(ms);
    },
    estimateWaitMs: () => 0,
    snapshot: (): BudgetSnapshot => ({ usedInWindow: scheduled.length, limit: 0, windowMs: 0, queued: { interactive: 0, background: 0 }, pausedUntil: 0 }),
    close: async () => {},
  };
}

export interface Harness {
  fake: FakeFluxra;
  client: FluxraClient;
  /** The bridge agent, with the API key the client uses. */
  bridge: FakeAgentCredentials;
  dispatcher: Agent;
  /** Another client over the same dispatcher, e.g. with other options. */
  makeClient(overrides?: Partial<FluxraClientOptions>): FluxraClient;
  close(): Promise<void>;
}

export async function startHarness(options: { fake?: FakeFluxraOptions; client?: Partial<FluxraClientOptions> } = {}): Promise<Harness> {
  const fake = await createFakeFluxra(options.fake);
  const bridge = fake.createAgent({ agentName: 'fluxra-bridge' });
  const dispatcher = new Agent({ connections: 16 });
  const makeClient = (overrides: Partial<FluxraClientOptions> = {}) =>
    createFluxraClient({
      baseUrl: fake.url,
      agentId: bridge.agentId,
      apiKey: bridge.apiKey,
      dispatcher,
      requestTimeoutMs: 2_000,
      tokenLifetimeFallbackSeconds: 900,
      renewBeforeExpirySeconds: 60,
      retryBackoffMs: 5,
      rateLimitBackoffMs: 5,
      ...options.client,
      ...overrides,
    });
  return {
    fake,
    bridge,
    dispatcher,
    client: makeClient(),
    makeClient,
    async close() {
      await dispatcher.destroy();
      await fake.close();
    },
  };
}

/** Runs `fn`, expecting it to reject, and returns the error for assertions. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
