/**
 * The one mapping from the validated `fluxra` config section to client options, so that the
 * composition root (and the sandbox) cannot wire a setting to the wrong option.
 */
import type { Dispatcher } from 'undici';
import type { Logger } from '../../core/logger.js';
import type { RateBudget } from '../../ratelimit/types.js';
import type { FluxraClientOptions } from './types.js';

/** The `fluxra` section of the configuration, as the client reads it (the schema declares the defaults). */
export interface FluxraConfig {
  baseUrl: string;
  agentId?: string | undefined;
  apiKey?: string | undefined;
  routes: FluxraClientOptions['routes'];
  requestTimeoutMs: number;
  tokenLifetimeFallbackSeconds: number;
  renewBeforeExpirySeconds: number;
  rateLimit: { backoffMs: number };
}

export interface FluxraRuntimeDeps {
  dispatcher: Dispatcher;
  budget?: RateBudget;
  logger?: Logger;
}

export function fluxraClientOptionsFromConfig(config: FluxraConfig, deps: FluxraRuntimeDeps): FluxraClientOptions {
  return {
    baseUrl: config.baseUrl,
    ...(config.agentId ? { agentId: config.agentId } : {}),
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    dispatcher: deps.dispatcher,
    routes: config.routes,
    requestTimeoutMs: config.requestTimeoutMs,
    tokenLifetimeFallbackSeconds: config.tokenLifetimeFallbackSeconds,
    renewBeforeExpirySeconds: config.renewBeforeExpirySeconds,
    rateLimitBackoffMs: config.rateLimit.backoffMs,
    ...(deps.budget ? { budget: deps.budget } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  };
}
