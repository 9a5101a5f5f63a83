/**
 * Who and what exists in the sandbox: invented credentials (no real service ever sees them),
 * one Slack workspace and one Discord guild with a #sandbox channel each, the people a
 * visitor posts as, and the Fluxra agents other than the bridge. Fixed values, so that a
 * restart finds the same channels, users and tokens that the saved state refers to.
 */
export const SANDBOX_SECRETS = {
  slackBotToken: 'xoxb-0000_0000_sandbox_bot_token',
  slackAppToken: 'xapp-1-A000-0000-sandbox-app-token',
  discordToken: 'MDAwMDAwMDAwMDAwMDAwMDAw.sandbx.discord-token-for-the-local-sandbox',
  blocksApiKey: 'blk_sandbox_key_00000000',
} as const;

export const SLACK_CHANNEL = { id: 'C0SANDBOX', name: 'sandbox' } as const;
/** A workspace admin, so that `/bridge` and `/block` are allowed (as for the person who installed the app). */
export const SLACK_PERSON = { id: 'U0SBXADA', name: 'ada', realName: 'Ada', isAdmin: true } as const;

export const DISCORD_GUILD_ID = '910000000000000001';
export const DISCORD_APPLICATION_ID = '910000000000000002';
export const DISCORD_CHANNEL = { id: '910000000000000101', name: 'sandbox' } as const;
export const DISCORD_PERSON = { id: '910000000000000201', username: 'alice' } as const;
/** Manage Channels: the Discord permission that lets a member run the admin commands. */
export const DISCORD_MANAGE_CHANNELS = String(1 << 4);

export const BRIDGE_AGENT_NAME = 'fluxra-bridge';
/** Agents a visitor can post as in the Fluxra pane (added to the linked conversation on first post). */
export const FLUXRA_AGENT_NAMES = ['research-agent', 'review-agent'] as const;
