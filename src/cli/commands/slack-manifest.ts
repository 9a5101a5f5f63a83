/**
 * `fluxra-bridge slack manifest`: print the Slack app manifest (JSON; Slack accepts JSON or
 * YAML and JSON needs no dependency) for this configuration: the bot scopes for every Web API
 * method the Slack adapter calls, the events it listens to, and the slash commands the router
 * offers. Socket Mode unless an HTTP base URL is given, in which case events and commands are
 * POSTed to /slack/events.
 */
import type { CommandSpec } from '../../core/chat.js';
import type { CommandDef, CommandRun } from '../command-def.js';
import { EXIT_OK, EXIT_USAGE } from '../exit.js';
import { BIN } from '../help.js';
import { configOption, loadCliConfig } from '../load.js';

export const DEFAULT_APP_NAME = 'Fluxra Bridge';

/**
 * Bot scopes, each for something the adapter does: post, update and delete (chat:write),
 * post as an agent with its own name and icon (chat:write.customize), read history to find
 * its own posts after a crash (channels/groups:history), reactions as status markers
 * (reactions:write), names and admin rights of people (users:read), channel names
 * (channels/groups:read), mentions (app_mentions:read), slash commands (commands), the
 * metadata of files people attach (files:read).
 */
export const SLACK_BOT_SCOPES = [
  'app_mentions:read',
  'channels:history',
  'channels:read',
  'chat:write',
  'chat:write.customize',
  'commands',
  'files:read',
  'groups:history',
  'groups:read',
  'reactions:write',
  'users:read',
] as const;

/** Messages in public and private channels the bot is in, and mentions of it. */
export const SLACK_BOT_EVENTS = ['app_mention', 'message.channels', 'message.groups'] as const;

/** Slack's AI side pane (`slack.assistant.enabled`): its status, title and prompts, and what is written in it (the app's DM). */
export const SLACK_ASSISTANT_SCOPES = ['assistant:write', 'im:history'] as const;

/** A pane thread opened, the channel its person looks at changed, a message written in it. */
export const SLACK_ASSISTANT_EVENTS = ['assistant_thread_context_changed', 'assistant_thread_started', 'message.im'] as const;

/** What Slack shows about the app in its AI side pane. */
export const SLACK_ASSISTANT_DESCRIPTION = 'Ask a coding agent on Blocks; each chat here is a private session (start with an agent name to pick one)';

/** Bolt's HTTP receiver path (see the Slack adapter: `endpoints: '/slack/events'`). */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackManifestOptions {
  appName: string;
  specs: readonly CommandSpec[];
  /** HTTP mode: the bridge's public base URL (or its full /slack/events URL). */
  httpUrl?: string;
  /** Usage hints for commands whose Slack syntax is not "subcommand options…". */
  usageHints?: Readonly<Record<string, string>>;
  /** Slack's AI side pane, when enabled: its suggested prompts (`slack.assistant.prompts`). */
  assistant?: { prompts: ReadonlyArray<{ title: string; message: string }> };
}

/** `https://host/base` → `https://host/base/slack/events`; a URL already ending so is kept. Throws on a non-http(s) URL. */
export function slackEventsUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('an http(s) URL');
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(SLACK_EVENTS_PATH) ? path : `${path}${SLACK_EVENTS_PATH}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** "link <conversation> [name] | unlink [what] | status | help": what Slack shows under the command. */
export function slackUsageHint(spec: CommandSpec): string {
  const hint = spec.subcommands.map((sub) => [sub.name, ...sub.options.map((option) => (option.required ? `<${option.name}>` : `[${option.name}]`))].join(' ')).join(' | ');
  // Slack's limit for usage_hint is 1000 characters.
  return hint.length <= 1000 ? hint : `${hint.slice(0, 999)}…`;
}

export function slackManifest(options: SlackManifestOptions): Record<string, unknown> {
  const requestUrl = options.httpUrl === undefined ? undefined : slackEventsUrl(options.httpUrl);
  const pane = options.assistant !== undefined;
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: options.appName,
      description: 'Bridges channels to Fluxra conversations and runs Blocks agent sessions from chat',
      background_color: '#1d2433',
    },
    features: {
      bot_user: { display_name: options.appName, always_online: true },
      ...(options.assistant !== undefined
        ? {
            // The side pane lives in the app's Messages tab; people write in it.
            app_home: { home_tab_enabled: false, messages_tab_enabled: true, messages_tab_read_only_enabled: false },
            assistant_view: {
              assistant_description: SLACK_ASSISTANT_DESCRIPTION,
              suggested_prompts: options.assistant.prompts.map((prompt) => ({ title: prompt.title, message: prompt.message })),
            },
          }
        : {}),
      // Slack refuses an empty list: no commands, no key.
      ...(options.specs.length > 0
        ? {
            slash_commands: options.specs.map((spec) => ({
              command: `/${spec.name}`,
              description: spec.description,
              usage_hint: options.usageHints?.[spec.name] ?? slackUsageHint(spec),
              should_escape: false,
              ...(requestUrl !== undefined ? { url: requestUrl } : {}),
            })),
          }
        : {}),
    },
    oauth_config: { scopes: { bot: [...SLACK_BOT_SCOPES, ...(pane ? SLACK_ASSISTANT_SCOPES : [])].sort() } },
    settings: {
      event_subscriptions: { ...(requestUrl !== undefined ? { request_url: requestUrl } : {}), bot_events: [...SLACK_BOT_EVENTS, ...(pane ? SLACK_ASSISTANT_EVENTS : [])].sort() },
      // The status messages' buttons and the forms they open (block_actions, view_submission).
      interactivity: { is_enabled: true, ...(requestUrl !== undefined ? { request_url: requestUrl } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: requestUrl === undefined,
      token_rotation_enabled: false,
    },
  };
}

const runSlackManifest: CommandRun = async (input, io) => {
  const httpUrl = input.options['http-url'];
  const name = typeof input.options['name'] === 'string' ? input.options['name'] : DEFAULT_APP_NAME;
  const usage = (message: string): number => {
    io.err(`${BIN}: ${message}\nRun "${BIN} slack manifest --help" for usage.`);
    return EXIT_USAGE;
  };
  if (name.length > 35) return usage('--name must be at most 35 characters (a Slack limit)');
  if (typeof httpUrl === 'string') {
    try {
      slackEventsUrl(httpUrl);
    } catch {
      return usage(`--http-url must be an http(s) URL such as https://bridge.example.com (got "${httpUrl}")`);
    }
  }
  const outcome = await loadCliConfig(io, configOption(input));
  if (!outcome.ok) return outcome.code;
  const { config } = outcome.loaded;
  if (config.slack.mode === 'http' && typeof httpUrl !== 'string') {
    return usage('slack.mode is "http": give --http-url https://<public host> so that Slack knows where to send events');
  }

  // Every command, whatever is configured yet: the app is created once, and a command added
  // later would mean updating it. Until its credentials are set, a command says so when run.
  // The dry bridge that lists the commands loads only when the command runs: --help stays light.
  const { credentialNotes, offeredCommands } = await import('../command-specs.js');
  const { specs } = await offeredCommands(outcome.loaded, { everyCommand: true });
  // /agent reads the words after the command as "[agent] <prompt>" on Slack (see commands/agent.ts).
  const usageHints = { [config.commands.agent]: '[agent] <prompt>' };
  const manifest = slackManifest({
    appName: name,
    specs,
    usageHints,
    ...(config.slack.assistant.enabled ? { assistant: { prompts: config.slack.assistant.prompts } } : {}),
    ...(typeof httpUrl === 'string' ? { httpUrl } : {}),
  });
  io.out(`${JSON.stringify(manifest, null, 2)}\n`);

  const waiting = credentialNotes(outcome.loaded);
  if (waiting.length > 0) io.err(['note: the manifest lists every command; until their credentials are set:', ...waiting.map((line) => `  ${line}`)].join('\n'));
  const steps =
    typeof httpUrl === 'string'
      ? [
          'HTTP mode: set "slack": {"mode": "http"} in the config; put Basic Information → Signing Secret in SLACK_SIGNING_SECRET;',
          `the bridge must be reachable at ${slackEventsUrl(httpUrl)} (port slack.port) before Slack can verify the URL.`,
        ]
      : ['Socket Mode: create an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and put it in SLACK_APP_TOKEN.'];
  io.err(
    [
      'next steps: create the app from this manifest (JSON) at https://api.slack.com/apps → Create New App → From an app manifest;',
      'install it to the workspace and put OAuth & Permissions → Bot User OAuth Token (xoxb-…) in SLACK_BOT_TOKEN;',
      ...steps,
      `then invite the bot to each channel to bridge, and run "${BIN} check".`,
    ].join('\n'),
  );
  return EXIT_OK;
};

export const slackManifestCommand: CommandDef = {
  path: ['slack', 'manifest'],
  summary: 'Print a Slack app manifest (JSON) to create the Slack app in one step',
  description: [
    'Prints a Slack app manifest as JSON on stdout: the bot scopes and events the bridge needs',
    'and the slash commands this configuration offers (names from commands.*). Socket Mode is on',
    'unless --http-url is given; then Slack POSTs events and commands to <URL>/slack/events.',
    'Paste it at https://api.slack.com/apps → Create New App → From an app manifest.',
    'Notes and next steps go to stderr, so `> manifest.json` captures only the manifest.',
  ].join('\n'),
  options: {
    'http-url': { type: 'string', valueName: 'URL', help: "HTTP mode: the bridge's public https base URL (Socket Mode when absent)" },
    name: { type: 'string', valueName: 'NAME', help: `App and bot name (default "${DEFAULT_APP_NAME}", at most 35 characters)` },
  },
  positionals: [],
  exitCodes: ['0  the manifest was printed', '1  the commands could not be read from the configuration', '2  bad usage or invalid configuration'],
  run: runSlackManifest,
};
