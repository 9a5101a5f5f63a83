/**
 * The bridge's configuration schema: one zod schema, validated once at start-up.
 * Non-secret settings come from a JSON file in `config/`; secrets come only from the
 * environment (see `SECRET_ENV`) and are merged in under their config keys before
 * validation. Every default below is documented in the README's configuration table,
 * which a test checks against this schema.
 */
import { z } from 'zod';
import { FLUXRA_ROUTE_NAMES } from '../services/fluxra/routes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const httpUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'an http(s) URL such as https://example.com')
  .transform((value) => value.replace(/\/+$/, ''));

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const routeOverride = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
    path: z.string().startsWith('/', 'a path starting with /').optional(),
  })
  .strict();

const fluxraRoutesOverride = z
  .object(Object.fromEntries(FLUXRA_ROUTE_NAMES.map((name) => [name, routeOverride.optional()])) as Record<
    (typeof FLUXRA_ROUTE_NAMES)[number],
    z.ZodOptional<typeof routeOverride>
  >)
  .strict();

export const CORE_AGENT_NAMES = ['claude', 'codex', 'gemini', 'opencode', 'cursor', 'kimi'] as const;

const fluxraSchema = z
  .object({
    baseUrl: httpUrl.default('https://chat.tryfluxra.com'),
    agentId: z.string().regex(/^agt_[A-Za-z0-9]+$/, 'an agent id of the form agt_<hex>').optional(),
    apiKey: z.string().min(8, 'the sk_… API key created for the bridge agent').optional(),
    requestTimeoutMs: positiveInt.default(15_000),
    /** Lifetime assumed for a JWT whose response and claims carry no expiry. */
    tokenLifetimeFallbackSeconds: positiveInt.default(900),
    /** Renew the JWT this long before it expires. */
    renewBeforeExpirySeconds: nonNegativeInt.default(60),
    routes: fluxraRoutesOverride.prefault({}),
    /** Fluxra documents no numbers: stay conservative and back off on 429. */
    rateLimit: z
      .object({
        maxConcurrent: positiveInt.default(8),
        requestsPerSecond: positiveInt.default(20),
        /** Pause after a 429 that carries no Retry-After. */
        backoffMs: positiveInt.default(2_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const blocksSchema = z
  .object({
    baseUrl: httpUrl.default('https://api.blocks.team'),
    apiKey: z.string().min(8, 'the Blocks API key').optional(),
    requestTimeoutMs: positiveInt.default(30_000),
    /** Agent used when a person names none (REST has no workspace default). */
    defaultAgent: z.string().min(1).default('claude'),
    /** Extra agent names mapped to workspace agent ids (Blocks has no list-agents endpoint). */
    agentAliases: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/i, 'a short name'), z.string().regex(UUID, 'an agent UUID')).default({}),
    rateLimit: z
      .object({
        /** Documented: 100 requests per minute per API key. */
        limit: positiveInt.default(100),
        windowMs: positiveInt.default(60_000),
        /**
         * Spacing margin for the time between dispatch and arrival at the server: requests are
         * spaced (windowMs + safetyMarginMs) / limit apart so that any limit+1 of them arrive
         * more than a window apart even when the first one was slow on the wire.
         */
        safetyMarginMs: nonNegativeInt.default(1_000),
        /** Slots per window that background polling may never use, kept for people. */
        interactiveReserve: nonNegativeInt.default(10),
        /** Pause after a 429 without Retry-After (doubles up to maxBackoffMs while 429s repeat). */
        backoffMs: positiveInt.default(1_000),
        maxBackoffMs: positiveInt.default(30_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const slackSchema = z
  .object({
    botToken: z.string().startsWith('xoxb-', 'a bot token starting with xoxb-').optional(),
    signingSecret: z.string().min(8, 'the app signing secret').optional(),
    appToken: z.string().startsWith('xapp-', 'an app-level token starting with xapp-').optional(),
    /** socket: no public URL needed (the default); http: Slack POSTs to /slack/events. */
    mode: z.enum(['socket', 'http']).default('socket'),
    port: z.number().int().min(0).max(65_535).default(3000),
    /** Web API base, overridden for the sandbox and tests. */
    apiUrl: httpUrl.default('https://slack.com/api'),
  })
  .strict()
  .prefault({});

const discordSchema = z
  .object({
    token: z.string().min(20, 'a bot token').optional(),
    applicationId: z.string().regex(/^\d{15,22}$/, 'the application id (a snowflake)').optional(),
    /** Register commands in one guild (instant) instead of globally (up to an hour). */
    guildId: z.string().regex(/^\d{15,22}$/, 'a guild id (a snowflake)').optional(),
    /** REST base (without /v10), overridden for the sandbox and tests. */
    apiUrl: httpUrl.default('https://discord.com/api'),
  })
  .strict()
  .prefault({});

const permissionsSchema = z
  .object({
    slackAllowedUserIds: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id such as U012ABC')).default([]),
    discordAllowedUserIds: z.array(z.string().regex(/^\d{15,22}$/, 'a Discord user id (a snowflake)')).default([]),
    /** Slack workspace admins/owners and Discord members with Manage Channels may run admin commands. */
    allowPrivilegedUsers: z.boolean().default(true),
  })
  .strict()
  .prefault({});

const commandName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a lower-case command name without the slash');

/** Slash command names, so that a workspace with its own `/block` can rename ours. */
const commandsSchema = z
  .object({
    block: commandName.default('block'),
    bridge: commandName.default('bridge'),
    agent: commandName.default('agent'),
  })
  .strict()
  .prefault({});

export const configSchema = z
  .object({
    fluxra: fluxraSchema,
    blocks: blocksSchema,
    slack: slackSchema,
    discord: discordSchema,
    permissions: permissionsSchema,
    commands: commandsSchema,
    redis: z
      .object({ url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional() })
      .strict()
      .prefault({}),
    store: z
      .object({ path: z.string().min(1).default('./data/bridge.db') })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict();

export type BridgeConfig = z.infer<typeof configSchema>;

/**
 * Environment variables that hold secrets (and the few deployment values that often
 * travel with them), mapped to their config keys. Secrets are never read from the file.
 */
export const SECRET_ENV = {
  FLUXRA_AGENT_ID: 'fluxra.agentId',
  FLUXRA_API_KEY: 'fluxra.apiKey',
  BLOCKS_API_KEY: 'blocks.apiKey',
  SLACK_BOT_TOKEN: 'slack.botToken',
  SLACK_SIGNING_SECRET: 'slack.signingSecret',
  SLACK_APP_TOKEN: 'slack.appToken',
  DISCORD_TOKEN: 'discord.token',
  REDIS_URL: 'redis.url',
} as const;

/** Config keys whose values must never be printed. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'fluxra.apiKey',
  'blocks.apiKey',
  'slack.botToken',
  'slack.signingSecret',
  'slack.appToken',
  'discord.token',
  'redis.url',
]);
