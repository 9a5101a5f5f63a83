/** The Blocks Sessions client: public surface for the engines and the composition root. */

export { type AgentResolver, createAgentResolver, UNKNOWN_AGENT_CODE } from './agents.js';
export { BLOCKS_CLIENT_DEFAULTS, type BlocksClient, type BlocksClientConfig, createBlocksClient } from './client.js';
export { BlocksApiError, BlocksErrorCode, type BlocksErrorCodeValue, extractBlocksReason, mapBlocksError, mayHaveBeenProcessed } from './errors.js';
export { type BlocksLinkKind, extractGts, fallbackFinalMessageUrl, isUuid, type RebasedLink, rebaseBlocksLink } from './links.js';
export { normalizePullRequest } from './normalize.js';
export { MAX_RETRY_AFTER_MS, PRIORITY_HEADER } from './transport.js';
export type * from './types.js';
