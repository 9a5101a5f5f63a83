/** The Fluxra client's public surface. */
export { createFluxraClient } from './client.js';
export { FluxraApiError, isCredentialsRejected } from './errors.js';
export { type FluxraRuntimeDeps, fluxraClientOptionsFromConfig } from './from-config.js';
export type { FluxraRouteName, FluxraRoutes, RouteDefinition } from './routes.js';
export { DEFAULT_FLUXRA_ROUTES, FLUXRA_ROUTE_NAMES, fillPath, resolveFluxraRoutes } from './routes.js';
export { decodeJwtExpiry } from './token-cache.js';
export type {
  FluxraApiKey,
  FluxraBlock,
  FluxraCallOptions,
  FluxraClient,
  FluxraClientOptions,
  FluxraConversation,
  FluxraDirectSendInput,
  FluxraHealth,
  FluxraMessage,
  FluxraMessagePage,
  FluxraRegistration,
  FluxraSendInput,
  FluxraSentMessage,
  FluxraToken,
} from './types.js';
export { FLUXRA_MAX_CONTENT_LENGTH, FLUXRA_MAX_MENTIONS } from './types.js';
