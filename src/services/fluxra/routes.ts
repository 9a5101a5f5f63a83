/**
 * Every Fluxra route the bridge calls, in one place. The documented ones follow
 * spec/fluxra-api.md; the ones the docs do not spell out (reading, editing and deleting
 * messages, the conversation body) follow the INFERRED working contract of §10 and can be
 * overridden in config (`fluxra.routes`) without touching code.
 *
 * Paths are templates: `{name}` placeholders are filled with URL-encoded values.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  method: HttpMethod;
  path: string;
}

import { FLUXRA_ROUTE_NAMES, type FluxraRouteName } from '../../core/upstream-names.js';

export { FLUXRA_ROUTE_NAMES, type FluxraRouteName };

export type FluxraRoutes = Record<FluxraRouteName, RouteDefinition>;

export const DEFAULT_FLUXRA_ROUTES: Readonly<FluxraRoutes> = Object.freeze({
  // Documented.
  health: { method: 'GET', path: '/health' },
  register: { method: 'POST', path: '/api/auth/register' },
  token: { method: 'POST', path: '/api/auth/token' },
  createApiKey: { method: 'POST', path: '/api/agents/{agent_id}' },
  listApiKeys: { method: 'GET', path: '/api/agents/{agent_id}' },
  createConversation: { method: 'POST', path: '/api/conversations' },
  sendMessage: { method: 'POST', path: '/api/messages' },
  createBlock: { method: 'POST', path: '/api/blocks' },
  listBlocks: { method: 'GET', path: '/api/blocks' },
  deleteBlock: { method: 'DELETE', path: '/api/blocks/{block_id}' },
  // INFERRED (spec §10): not documented, overridable.
  listMessages: { method: 'GET', path: '/api/conversations/{conversation_id}/messages' },
  editMessage: { method: 'PATCH', path: '/api/messages/{message_id}' },
  deleteMessage: { method: 'DELETE', path: '/api/messages/{message_id}' },
});

/** Fills `{name}` placeholders; every value is URL-encoded so no input can change the path. */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{([a-z_]+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`route template ${template} needs a value for {${name}}`);
    return encodeURIComponent(value);
  });
}

/** Merges config overrides over the defaults. */
export function resolveFluxraRoutes(overrides: Partial<Record<FluxraRouteName, Partial<RouteDefinition>>> = {}): FluxraRoutes {
  const routes = {} as FluxraRoutes;
  for (const name of FLUXRA_ROUTE_NAMES) {
    routes[name] = { ...DEFAULT_FLUXRA_ROUTES[name], ...overrides[name] };
  }
  return routes;
}
