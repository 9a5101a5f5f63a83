export { CATCH_UP_DEFAULTS, type CatchUp, type CatchUpDeps, type CatchUpSettings, createCatchUp, type ServedChannelSource, servedChannelSources } from './catch-up.js';
export { CATCH_UP_CHECKPOINTS_KV, type CatchUpCheckpoints, compareMessageIds, createCatchUpCheckpoints } from './checkpoints.js';
export { linkedChannels } from './linked-channels.js';
export { CATCH_UP_RECENT_KV, createRecentMessages, type RecentMessages } from './recent-messages.js';
