/**
 * Configuration of the Slack adapter, checked once when the adapter is built so that a
 * missing token is reported at start-up with every other problem, never mid-flight.
 */
import { ConfigError, type ConfigProblem } from '../../core/errors.js';

/** A suggested prompt of Slack's side pane: the label shown, and the message it sends. */
export interface SuggestedPrompt {
  title: string;
  message: string;
}

/** The side pane's settings (`slack.assistant`), with the allow-list it must respect. */
export interface SlackAssistantConfig {
  prompts: readonly SuggestedPrompt[];
  /** `slack.allowedTeamIds`: other workspaces are refused in the pane. */
  allowedTeamIds?: readonly string[] | undefined;
}

export interface SlackAdapterConfig {
  /** Bot token (`xoxb-…`). */
  botToken: string;
  /** App-level token (`xapp-…`), required in Socket Mode. */
  appToken?: string;
  /** Request signing secret, required in HTTP mode. */
  signingSecret?: string;
  /** `socket` (no public URL needed; the default) or `http` (Slack POSTs to `/slack/events`). */
  mode: 'socket' | 'http';
  /** HTTP mode: the port to listen on (0 picks a free one; see `SlackAdapter.port`). */
  port: number;
  /** Web API base, e.g. `https://slack.com/api/` (a missing trailing slash is added). */
  apiUrl: string;
  /** Slash command names without the slash, e.g. `['block', 'bridge', 'agent']`. */
  commandNames: string[];
  /** Web API retries (p-retry `retries`); tests use 0. Defaults to `SLACK_DEFAULTS.clientRetries`. */
  clientRetries?: number;
  /** Our bot user (`U…`) and bot (`B…`) ids; asked from `auth.test` at start when absent. */
  botUserId?: string;
  botId?: string;
  /** Slack's AI side pane (`slack.assistant`); absent: pane events are not handled. */
  assistant?: SlackAssistantConfig;
}

/** Defaults declared once. */
export const SLACK_DEFAULTS = {
  /** Slack renders up to 40,000 characters but truncates display near 4,000: stay under it. */
  maxMessageLength: 3_900,
  clientRetries: 3,
  /** A response_url accepts answers for 30 minutes. */
  invocationTtlMs: 30 * 60_000,
  maxInvocations: 1_000,
  /** Display names change rarely; admin rights are checked with a short memory. */
  displayNameTtlMs: 60 * 60_000,
  privilegeTtlMs: 60_000,
  maxCachedUsers: 5_000,
} as const;

/** Throws a `ConfigError` listing every problem with `config`. */
export function validateSlackAdapterConfig(config: SlackAdapterConfig): void {
  const problems: ConfigProblem[] = [];
  if (!config.botToken?.startsWith('xoxb-'))
    problems.push({ key: 'slack.botToken', found: config.botToken ? 'a value of another shape' : 'nothing', expected: 'a bot token starting with xoxb-' });
  if (config.mode === 'socket' && !config.appToken?.startsWith('xapp-')) {
    problems.push({ key: 'slack.appToken', found: config.appToken ? 'a value of another shape' : 'nothing', expected: 'an app-level token starting with xapp- (Socket Mode)' });
  }
  if (config.mode === 'http' && !config.signingSecret) problems.push({ key: 'slack.signingSecret', found: 'nothing', expected: 'the app signing secret (HTTP mode)' });
  if (config.mode !== 'socket' && config.mode !== 'http') problems.push({ key: 'slack.mode', found: String(config.mode), expected: 'socket or http' });
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65_535)
    problems.push({ key: 'slack.port', found: String(config.port), expected: 'a port between 0 and 65535' });
  try {
    new URL(config.apiUrl);
  } catch {
    problems.push({ key: 'slack.apiUrl', found: JSON.stringify(config.apiUrl), expected: 'an http(s) URL' });
  }
  for (const name of config.commandNames) {
    if (!/^[a-z0-9_-]{1,31}$/.test(name)) problems.push({ key: 'slack.commandNames', found: JSON.stringify(name), expected: 'lower-case command names without the slash' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
