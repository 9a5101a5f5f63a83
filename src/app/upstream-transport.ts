/**
 * The HTTP transport Fluxra and Blocks share: a pooled undici Agent unless the caller gives
 * one, wrapped so that every answer is counted by the metrics and Blocks' answers also
 * judge the readiness of its API key.
 */
import { Agent, type Dispatcher } from 'undici';
import type { BridgeConfig } from '../config/schema.js';
import type { BlocksKeyState } from '../health/blocks-key.js';
import { observeDispatcher, servicesByOrigin } from '../metrics/http-observer.js';
import type { BridgeMetrics } from '../metrics/registry.js';

export interface UpstreamTransport {
  /** What the Fluxra and Blocks clients send through. */
  readonly dispatcher: Dispatcher;
  /** The pooled Agent made here, closed last at stop; undefined when the caller gave the transport. */
  readonly owned: Dispatcher | undefined;
  /** From now on Blocks' answers also go to `state` (it exists only once the Blocks client does). */
  reportBlocksAnswersTo(state: BlocksKeyState): void;
}

export function createUpstreamTransport(config: BridgeConfig, deps: { metrics: BridgeMetrics; dispatcher: Dispatcher | undefined }): UpstreamTransport {
  const { metrics } = deps;
  const ownsDispatcher = deps.dispatcher === undefined;
  const baseDispatcher = deps.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  // Set once the Blocks client exists: readiness of the key is judged from Blocks' answers.
  let blocksKey: BlocksKeyState | undefined;
  // Every Fluxra and Blocks answer is counted here, retries included (see metrics/http-observer.ts).
  const dispatcher = observeDispatcher(baseDispatcher, {
    serviceOf: servicesByOrigin([
      ['fluxra', config.fluxra.baseUrl],
      ['blocks', config.blocks.baseUrl],
    ]),
    onOutcome(service, outcome) {
      if (outcome.kind === 'network') metrics.error(service, outcome.code);
      else if (outcome.status >= 400) metrics.error(service, String(outcome.status));
      if (outcome.kind === 'status' && outcome.status === 429) metrics.rateLimited(service);
      if (service === 'blocks') blocksKey?.record(outcome);
    },
  });
  return {
    dispatcher,
    owned: ownsDispatcher ? baseDispatcher : undefined,
    reportBlocksAnswersTo(state) {
      blocksKey = state;
    },
  };
}
