export { CATCH_UP_DEFAULTS, createCatchUp, servedChannelSources, type CatchUp, type CatchUpDeps, type CatchUpSettings, type ServedChannelSource } from './catch-up.js';
export { CATCH_UP_CHECKPOINTS_KV, compareMessageIds, createCatchUpCheckpoints, type CatchUpCheckpoints } from './checkpoints.js';
export { linkedChannels } from './linked-channels.js';
