/**
 * The Slack app manifest (JSON; Slack accepts JSON or YAML and JSON needs no dependency)
 * for the bridge: the bot scopes for every Web API method the Slack adapter calls, the
 * events it listens to, and the slash commands the router offers. Socket Mode unless an
 * HTTP base URL is given, in which case events and commands are POSTed to /slack/events.
 */
import type { CommandSpec } from '../core/chat.js';

/**
 * Bot scopes, each for something the adapter does: post, update and delete (chat:write),
 * post as an agent with its own name and icon (chat:write.customize), read history to find
 * its own posts after a crash (channels/groups:history), reactions as status markers
 * (reactions:write), names and admin rights of people (users:read), channel names
 * (channels/groups:read), mentions (app_mentions:read), slash commands (commands), and the
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

/** Bolt's HTTP receiver path (see the Slack adapter: `endpoints: '/slack/events'`). */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackManifestOptions {
  appName: string;
  specs: readonly CommandSpec[];
  /** HTTP mode: the bridge's public base URL (or its full /slack/events URL). */
  httpUrl?: string;
  /** Usage hints for commands whose Slack syntax is not "subcommand options…". */
  usageHints?: Readonly<Record<string, string>>;
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
  const hint = spec.subcommands
    .map((sub) => [sub.name, ...sub.options.map((option) => (option.required ? `<${option.name}>` : `[${option.name}]`))].join(' '))
    .join(' | ');
  // Slack's limit for usage_hint is 1000 characters.
  return hint.length <= 1000 ? hint : `${hint.slice(0, 999)}…`;
}

export function slackManifest(options: SlackManifestOptions): Record<string, unknown> {
  const requestUrl = options.httpUrl === undefined ? undefined : slackEventsUrl(options.httpUrl);
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: options.appName,
      description: 'Bridges channels to Fluxra conversations and runs Blocks agent sessions from chat',
      background_color: '#1d2433',
    },
    features: {
      bot_user: { display_name: options.appName, always_online: true },
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
    oauth_config: { scopes: { bot: [...SLACK_BOT_SCOPES] } },
    settings: {
      event_subscriptions: { ...(requestUrl !== undefined ? { request_url: requestUrl } : {}), bot_events: [...SLACK_BOT_EVENTS] },
      org_deploy_enabled: false,
      socket_mode_enabled: requestUrl === undefined,
      token_rotation_enabled: false,
    },
  };
}
