/**
 * The bridge's configuration schema: one zod schema, validated once at start-up.
 * Non-secret settings come from a JSON file in `config/`; secrets come only from the
 * environment (see `SECRET_ENV`) and are merged in under their config keys before
 * validation. Every default below is documented in the README's configuration table,
 * which a test checks against this schema.
 */
import { z } from 'zod';
import { CORE_AGENT_NAMES, FLUXRA_ROUTE_NAMES } from '../core/upstream-names.js';

export { CORE_AGENT_NAMES };

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

/**
 * A base URL the bridge sends a secret to (API key, bot token, JWT): `https://`, or plain
 * `http://` only on this machine (the simulators, a local proxy), so that a typo cannot send
 * keys in clear across a network.
 */
const secretBearingUrl = httpUrl.refine(
  (value) => new URL(value).protocol === 'https:' || isLoopbackHost(new URL(value).hostname),
  'an https:// URL (plain http:// only for loopback hosts: 127.0.0.0/8, ::1, localhost), because the bridge sends a secret to it',
);

/** 127.0.0.0/8, ::1 and localhost: hosts whose traffic never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const routeOverride = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
    path: z.string().startsWith('/', 'a path starting with /').optional(),
  })
  .strict();

const fluxraRoutesOverride = z
  .object(
    Object.fromEntries(FLUXRA_ROUTE_NAMES.map((name) => [name, routeOverride.optional()])) as Record<(typeof FLUXRA_ROUTE_NAMES)[number], z.ZodOptional<typeof routeOverride>>,
  )
  .strict();

const fluxraSchema = z
  .object({
    baseUrl: secretBearingUrl.default('https://chat.tryfluxra.com').describe('Fluxra API origin'),
    agentId: z
      .string()
      .regex(/^agt_[A-Za-z0-9]+$/, 'an agent id of the form agt_<hex>')
      .optional()
      .describe("The bridge's own Fluxra agent id"),
    apiKey: z.string().min(8, 'the sk_… API key created for the bridge agent').optional().describe('API key of that agent, exchanged for JWTs'),
    requestTimeoutMs: positiveInt.default(15_000).describe('Deadline for one Fluxra request'),
    tokenLifetimeFallbackSeconds: positiveInt.default(900).describe('JWT lifetime assumed when neither the response nor the token says'),
    renewBeforeExpirySeconds: nonNegativeInt.default(60).describe('Renew the JWT this long before it expires'),
    routes: fluxraRoutesOverride.prefault({}).describe('Per-route `{method, path}` overrides for the undocumented routes (see src/services/fluxra/routes.ts)'),
    /** Fluxra documents no numbers: stay conservative and back off on 429. */
    rateLimit: z
      .object({
        maxConcurrent: positiveInt.default(8).describe('Fluxra requests in flight at once'),
        requestsPerSecond: positiveInt.default(20).describe('Fluxra requests started per second (Fluxra documents no numbers)'),
        backoffMs: positiveInt.default(2_000).describe('Pause after a Fluxra 429 without Retry-After'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const blocksSchema = z
  .object({
    baseUrl: secretBearingUrl.default('https://api.blocks.team').describe('Blocks API origin: the only host the Blocks key is ever sent to'),
    apiKey: z.string().min(8, 'the Blocks API key').optional().describe('Blocks API key'),
    requestTimeoutMs: positiveInt.default(30_000).describe('Deadline for one Blocks request'),
    defaultAgent: z.string().min(1).default('claude').describe('Agent used when a person names none (REST has no workspace default)'),
    agentAliases: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/i, 'a short name'), z.string().regex(UUID, 'an agent UUID'))
      .default({})
      .describe('Extra agent names mapped to workspace agent UUIDs (Blocks cannot list agents)'),
    rateLimit: z
      .object({
        limit: positiveInt.default(100).describe('Requests allowed per window per API key (documented: 100/min)'),
        windowMs: positiveInt.default(60_000).describe('The rate window'),
        /**
         * Time an admission stays counted beyond the window: a request leaves within half of it
         * after its admission (else it is admitted again), so arrivals at the server are never
         * closer than the log says, even after a slow store write, event-loop stall or network.
         */
        safetyMarginMs: nonNegativeInt.default(1_000).describe('Extra time each admission counts beyond the window; a request not sent within half of it is admitted again'),
        interactiveReserve: nonNegativeInt.default(10).describe('Slots per window that background polling may never use'),
        backoffMs: positiveInt.default(1_000).describe('Pause after a 429 without Retry-After (doubles while 429s repeat)'),
        maxBackoffMs: positiveInt.default(30_000).describe('Longest such pause'),
        shareAcrossPrefixes: z.boolean().default(true).describe('One budget per Blocks key on a Redis, whatever redis.keyPrefix (false: one per prefix)'),
      })
      .strict()
      .refine((rate) => rate.interactiveReserve < rate.limit, {
        message: 'interactiveReserve below limit, so that polling keeps at least one slot',
        path: ['interactiveReserve'],
      })
      .prefault({}),
  })
  .strict()
  .prefault({});

/** A suggested prompt of Slack's side pane: the label shown, and the message it sends. */
const suggestedPromptSchema = z
  .object({
    title: z.string().min(1).max(75).describe('What the button shows'),
    message: z.string().min(1).max(4_000).describe("What it sends as the person's prompt"),
  })
  .strict();

/** Slack's AI side pane ("Agents & AI Apps"): each pane thread is one private Blocks session. */
const slackAssistantSchema = z
  .object({
    enabled: z.boolean().default(true).describe("Answer in Slack's AI side pane (the manifest enables it; off: pane events are ignored)"),
    prompts: z
      .array(suggestedPromptSchema)
      .max(4, 'Slack shows at most four suggested prompts')
      .default([
        { title: 'What can you do?', message: 'What can you help me with, and how do I pick another agent?' },
        { title: 'Explain a concept', message: 'Explain how a bloom filter works, with a short TypeScript example.' },
        { title: 'Review a snippet', message: 'Review this for bugs: function add(a, b) { return a - b; }' },
      ])
      .describe('Suggested prompts shown when a person opens the pane (at most four; a first word naming an agent picks it, as with /agent)'),
  })
  .strict()
  .prefault({});

const slackSchema = z
  .object({
    botToken: z.string().startsWith('xoxb-', 'a bot token starting with xoxb-').optional().describe('Slack bot token'),
    signingSecret: z.string().min(8, 'the app signing secret').optional().describe('Slack signing secret (HTTP mode)'),
    appToken: z.string().startsWith('xapp-', 'an app-level token starting with xapp-').optional().describe('Slack app-level token (Socket Mode)'),
    mode: z.enum(['socket', 'http']).default('socket').describe('`socket` needs no public URL; `http` receives POSTs on /slack/events'),
    port: z.number().int().min(0).max(65_535).default(3000).describe('HTTP-mode listening port'),
    apiUrl: secretBearingUrl.default('https://slack.com/api').describe('Slack Web API base (the sandbox points it at its simulator)'),
    allowedTeamIds: z
      .array(z.string().regex(/^[TE][A-Z0-9]+$/, 'a Slack team id such as T012ABC'))
      .optional()
      .describe('Only these workspaces are served, as one organisation with the allowed Discord servers (unset: every workspace, each its own tenant)'),
    assistant: slackAssistantSchema,
  })
  .strict()
  .prefault({});

const discordSchema = z
  .object({
    token: z.string().min(20, 'a bot token').optional().describe('Discord bot token'),
    applicationId: z
      .string()
      .regex(/^\d{15,22}$/, 'the application id (a snowflake)')
      .optional()
      .describe('Discord application id (for command registration)'),
    guildId: z
      .string()
      .regex(/^\d{15,22}$/, 'a guild id (a snowflake)')
      .optional()
      .describe('Register commands in this guild (instant) instead of globally (up to an hour)'),
    apiUrl: secretBearingUrl.default('https://discord.com/api').describe('Discord REST base without /v10 (the sandbox points it at its simulator)'),
    globalRequestsPerSecond: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe("REST requests per second (webhook posts included) discord.js allows itself: Discord's global limit per bot; raise it only if Discord granted your bot more"),
    allowedGuildIds: z
      .array(z.string().regex(/^\d{15,22}$/, 'a guild id (a snowflake)'))
      .optional()
      .describe('Only these servers are served, as one organisation with the allowed Slack workspaces (unset: every server that adds the bot, each its own tenant)'),
  })
  .strict()
  .prefault({});

const permissionsSchema = z
  .object({
    slackAllowedUserIds: z
      .array(z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id such as U012ABC'))
      .default([])
      .describe('Slack users allowed to run admin commands: the bridge admins, who may also link and unblock any conversation'),
    discordAllowedUserIds: z
      .array(z.string().regex(/^\d{15,22}$/, 'a Discord user id (a snowflake)'))
      .default([])
      .describe('Discord users allowed to run admin commands: the bridge admins, who may also link and unblock any conversation'),
    allowPrivilegedUsers: z.boolean().default(true).describe('Slack admins/owners and Discord members with Manage Channels may run admin commands'),
  })
  .strict()
  .prefault({});

const mirrorSchema = z
  .object({
    attributionFormat: z
      .string()
      .refine((value) => value.includes('{text}'), 'a template containing {text} (and optionally {name}, {platform})')
      .default('[{name} · {platform}] {text}')
      .describe("How a person's message is attributed in Fluxra and in the other platform"),
    allowBotMessages: z.boolean().default(false).describe('Mirror messages from other bots too (our own are never mirrored)'),
    pollIntervalMs: positiveInt.default(2_000).describe('Fluxra poll interval of a conversation while it is active'),
    idlePollIntervalMs: positiveInt.default(15_000).describe('Fluxra poll interval of a quiet conversation'),
    activeForMs: positiveInt.default(120_000).describe('A conversation counts as active this long after its last message'),
    editScanIntervalMs: positiveInt.default(60_000).describe('How often the recent window is re-read to follow Fluxra edits and deletes'),
    editScanSize: z.number().int().min(1).max(200).default(50).describe('How many recent Fluxra messages that re-read covers'),
    retryBaseMs: positiveInt.default(1_000).describe('First retry delay of a failed delivery (doubles per attempt)'),
    retryMaxMs: positiveInt.default(60_000).describe('Longest retry delay of a failed delivery'),
    blockedProbeMs: positiveInt.default(300_000).describe('How often a link paused by a Fluxra block tries again'),
    maxAttempts: positiveInt
      .default(12)
      .describe('Failed attempts after which a queued delivery is moved to the dead letters (`fluxra-bridge deadletters`) so its channel goes on'),
  })
  .strict()
  .prefault({});

const sessionsSchema = z
  .object({
    pollIntervalMs: positiveInt.default(5_000).describe('Poll interval of a young running turn'),
    maxPollIntervalMs: positiveInt.default(60_000).describe('Longest poll interval, for long-running turns'),
    turnTimeoutMinutes: positiveInt.default(60).describe('A turn without an answer after this long is reported as timed out'),
    attachAsFileOverChars: positiveInt.default(12_000).describe('Replies longer than this are attached as a file instead of split'),
    boundChannelMode: z
      .enum(['queue', 'interrupt'])
      .default('queue')
      .describe('In a channel bound to an agent: messages that arrive while a turn runs wait and go together when it ends (queue), or interrupt it at once (interrupt)'),
    progress: z
      .enum(['off', 'status', 'steps'])
      .default('steps')
      .describe(
        "What people see while an agent works: nothing but the working line (off), the platform's native working state (status: Slack thread status, Discord typing), or that plus the steps (steps: Slack stream with a plan of tool steps, Discord step list in the status message)",
      ),
    progressFinalCheckEvery: positiveInt
      .default(6)
      .describe('Every Nth poll of a running turn reads the cursor-less final_message link instead of the progress read (the cursor alone never decides completion)'),
    progressMinEditMs: positiveInt.default(2_000).describe("A turn's status line and step list change at most this often (stream appends follow the polls)"),
    progressStepsShown: positiveInt.default(5).describe('Discord: steps listed in the status message (the newest ones; counts cover all)'),
    progressStatusRefreshMs: positiveInt.default(90_000).describe('Slack: the thread status is set again this often while a turn runs (Slack drops it after two minutes)'),
    progressTypingEveryMs: positiveInt.default(8_000).describe('Discord: the typing indicator is sent again this often while a turn runs (it lasts 10 s)'),
    progressTypingMaxMinutes: positiveInt.default(10).describe('Discord: no more typing indicators after a turn has run this long'),
  })
  .strict()
  .prefault({});

/**
 * Agent quotas (src/sessions/quota.ts): every agent turn spends the operator's Blocks key,
 * whose budget (100 requests a minute) the whole bridge shares, and every running turn takes
 * an equal share of the polling. A channel's limits sit above one person's, so that two or
 * three people can work in one channel at their own limits, and low enough that one channel
 * cannot take the key: 8 running turns are 8 shares of the polling, and 100 starts an hour
 * (one every 36 s) stay a small part of the 6,000 requests the key allows an hour.
 */
const agentQuotaSchema = z
  .object({
    perPersonRunning: positiveInt.default(3).describe('Agent turns one person may have running at once (/agent, mentions, thread follow-ups)'),
    perPersonPerHour: positiveInt.default(30).describe('Agent turns one person may start in any rolling hour (a message in a bound channel counts as one)'),
    perChannelRunning: positiveInt.default(8).describe('Agent turns running at once in one channel, whoever asked'),
    perChannelPerHour: positiveInt.default(100).describe('Agent turns started in one channel in any rolling hour'),
  })
  .strict()
  .prefault({});

/** Catch-up after downtime (src/catch-up/): reading back what the platforms will not redeliver. */
const catchUpSchema = z
  .object({
    enabled: z.boolean().default(true).describe("At start and after a reconnect that lost events, read the served channels' history and hand over what was missed"),
    maxPages: z.number().int().min(1).max(100).default(10).describe('History pages read per channel per catch-up (and as many again for each of its threads with new replies)'),
    overlapMs: nonNegativeInt.default(10_000).describe('Re-read this much before the newest accepted message (duplicates are dropped)'),
    maxAgeMs: positiveInt.default(86_400_000).describe('Never read further back than this'),
    threadLookbackMs: positiveInt.default(86_400_000).describe('Slack: thread roots this recent are checked for replies posted meanwhile'),
    changesLookbackMs: nonNegativeInt
      .default(3_600_000)
      .describe('Messages this recent that were edited or deleted while the bridge was down get the edit or delete mirrored (0: not caught up)'),
    concurrency: z.number().int().min(1).max(32).default(4).describe('Channels read at the same time'),
  })
  .strict()
  .prefault({});

const commandName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a lower-case command name without the slash');

/** Slash command names, so that a workspace with its own `/block` can rename ours. */
const commandsSchema = z
  .object({
    block: commandName.default('block').describe('Name of the /block command'),
    bridge: commandName.default('bridge').describe('Name of the /bridge command'),
    agent: commandName.default('agent').describe('Name of the /agent command'),
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
    mirror: mirrorSchema,
    sessions: sessionsSchema,
    agentQuota: agentQuotaSchema,
    catchUp: catchUpSchema,
    redis: z
      .object({
        url: z
          .string()
          .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
          .optional()
          .describe('Redis URL: shared store, rate budget and leader election for several replicas'),
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, _ . - (at most 100)')
          .default('fluxra-bridge')
          .describe('Prefix of every Redis key (store, rate budgets, leader lock): the replicas of one bridge share it, two bridges on one Redis must not'),
        leaderLockTtlMs: z
          .number()
          .int()
          .min(3_000)
          .max(60_000)
          .default(10_000)
          .describe('Lifetime of the leader lock without renewal: a dead leader is replaced within about this long'),
        commandTimeoutMs: positiveInt
          .default(2_000)
          .describe('A store command Redis has not answered within this long fails (and so does every command while Redis is down: nothing waits in a queue)'),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        path: z.string().min(1).default('./data/bridge.db').describe('Embedded store file'),
        sqliteSynchronous: z.enum(['normal', 'full']).default('normal').describe('`normal` survives a crash of the bridge; `full` also a power loss, at one fsync per write'),
      })
      .strict()
      .prefault({}),
    health: z
      .object({
        port: z.number().int().min(0).max(65_535).default(8080).describe('Port of the /healthz HTTP server (0 picks a free port)'),
        host: z.string().min(1).default('0.0.0.0').describe('Address the health server binds to'),
        metricsToken: z
          .string()
          .min(16, 'a random token of at least 16 characters')
          .optional()
          .describe('When set, `/metrics` answers only `Authorization: Bearer <token>` (401 otherwise); `/healthz` and `/readyz` stay open'),
        checkTimeoutMs: positiveInt.default(1_000).describe('Each `/readyz` check that has not answered within this long counts as failing, so a probe gets a 503, not a timeout'),
        blocksRecheckMs: positiveInt
          .default(30_000)
          .describe(
            "After a failing Blocks answer, `/readyz` asks Blocks again (one request of the key's budget) once that answer is this old, so readiness returns even when nothing else calls Blocks",
          ),
        eventLoopBlockedMs: nonNegativeInt
          .default(10_000)
          .describe(
            'Liveness guard: when the event loop stays blocked this long (ms), a watcher thread logs it and kills the process for the supervisor to restart; `/healthz` answers 503 once a tick came half this late. 0 turns the guard off',
          ),
      })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level') })
      .strict()
      .prefault({}),
    shutdown: z
      .object({
        drainTimeoutMs: nonNegativeInt
          .default(8_000)
          .describe(
            "On SIGTERM, how long to keep delivering the queued mirror work before closing (fits Docker's default 10 s stop grace; what is left stays queued for the next start)",
          ),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type BridgeConfig = z.infer<typeof configSchema>;

/** The `sessions` section with every default (for harnesses and benchmarks that override a few). */
export function sessionsDefaults(): BridgeConfig['sessions'] {
  return sessionsSchema.parse({});
}

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
  METRICS_TOKEN: 'health.metricsToken',
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
  'health.metricsToken',
]);
