/** The Blocks Sessions client: public surface for the engines and the composition root. */
export { createBlocksClient, BLOCKS_CLIENT_DEFAULTS, type BlocksClient, type BlocksClientConfig } from './client.js';
export { createAgentResolver, UNKNOWN_AGENT_CODE, type AgentResolver } from './agents.js';
export { BlocksApiError, BlocksErrorCode, extractBlocksReason, mapBlocksError, mayHaveBeenProcessed, type BlocksErrorCodeValue } from './errors.js';
export { rebaseBlocksLink, extractGts, fallbackFinalMessageUrl, isUuid, type RebasedLink, type BlocksLinkKind } from './links.js';
export { normalizePullRequest } from './normalize.js';
export { PRIORITY_HEADER, MAX_RETRY_AFTER_MS } from './transport.js';
export type * from './types.js';
