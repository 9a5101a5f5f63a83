/**
 * The upstreams' vocabulary that both the config schema (to validate overrides and names) and
 * the API clients need: plain lists of names, so that neither has to import the other.
 */

/** Every Fluxra route the client calls; `fluxra.routes` may override any of them. */
export const FLUXRA_ROUTE_NAMES = [
  'health',
  'register',
  'token',
  'createApiKey',
  'listApiKeys',
  'createConversation',
  'sendMessage',
  'listMessages',
  'editMessage',
  'deleteMessage',
  'createBlock',
  'listBlocks',
  'deleteBlock',
] as const;

export type FluxraRouteName = (typeof FLUXRA_ROUTE_NAMES)[number];

/** The Blocks agents every deployment knows by name. */
export const CORE_AGENT_NAMES = ['claude', 'codex', 'gemini', 'opencode', 'cursor', 'kimi'] as const;
