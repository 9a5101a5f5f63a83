/** The Discord platform adapter. */
export { createDiscordAdapter, type DiscordAdapter, type DiscordAdapterDeps } from './adapter.js';
export { DISCORD_DEFAULTS, type DiscordAdapterConfig } from './config.js';
export { ALLOWED_MENTIONS } from './outbound.js';
