/**
 * Loads, validates and freezes the configuration. Every problem is collected and reported
 * at once (key, what was found, what is expected); secret values are never echoed back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { type BridgeConfig, configSchema, SECRET_ENV, SECRET_KEYS } from './schema.js';

export const DEFAULT_CONFIG_PATH = 'config/bridge.json';
export const CONFIG_PATH_ENV = 'FLUXRA_BRIDGE_CONFIG';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit file path; else `$FLUXRA_BRIDGE_CONFIG`; else `config/bridge.json` when it exists. */
  path?: string;
  /** Values merged over the file (used by the sandbox and tests), before secrets from env. */
  overrides?: Record<string, unknown>;
}

/** Which parts of the bridge have what they need to run. A platform without credentials is not started. */
export interface EnabledParts {
  slack: boolean;
  discord: boolean;
  fluxra: boolean;
  blocks: boolean;
}

export interface LoadedConfig {
  config: Readonly<BridgeConfig>;
  enabled: Readonly<EnabledParts>;
  /** The file that was read, if any. */
  source: string | undefined;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Json, extra: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function setPath(target: Json, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node[part])) node[part] = {};
    node = node[part] as Json;
  }
  node[parts[parts.length - 1] as string] = value;
}

function getPath(source: unknown, dotted: string): unknown {
  let node = source;
  for (const part of dotted.split('.')) {
    if (!isObject(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** How a found value is shown in a problem: secrets only by their presence and length. */
function describeFound(key: string, value: unknown): string {
  if (value === undefined) return 'nothing';
  if (SECRET_KEYS.has(key)) return typeof value === 'string' ? `a secret of ${value.length} characters (hidden)` : `a ${typeof value}`;
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function envNameFor(key: string): string | undefined {
  return Object.entries(SECRET_ENV).find(([, path]) => path === key)?.[0];
}

function keyLabel(key: string): string {
  const env = envNameFor(key);
  return env ? `${key} (env ${env})` : key;
}

function problemsFromZod(error: z.ZodError, input: unknown): ConfigProblem[] {
  return error.issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    let expected = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.join(', ');
      return { key: key === '(root)' ? keys : `${key}.${keys}`, found: 'an unknown key', expected: 'no such key (check the spelling against the README)' };
    }
    if (issue.code === 'invalid_type') expected = `a ${issue.expected}`;
    return { key: keyLabel(key), found: describeFound(key, getPath(input, key)), expected };
  });
}

/** Cross-field rules: half-configured platforms are mistakes worth stopping for. */
function coherenceProblems(config: BridgeConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const missing = (key: string, expected: string): void => {
    problems.push({ key: keyLabel(key), found: 'nothing', expected });
  };
  const { slack, fluxra } = config;
  if (slack.botToken || slack.appToken || slack.signingSecret) {
    if (!slack.botToken) missing('slack.botToken', 'a bot token (xoxb-…), since other Slack credentials are set');
    if (slack.mode === 'socket' && !slack.appToken) missing('slack.appToken', 'an app-level token (xapp-…) because slack.mode is "socket"');
    if (slack.mode === 'http' && !slack.signingSecret) missing('slack.signingSecret', 'the signing secret because slack.mode is "http"');
  }
  if (Boolean(fluxra.agentId) !== Boolean(fluxra.apiKey)) {
    if (!fluxra.agentId) missing('fluxra.agentId', 'the agent id (agt_…) that owns FLUXRA_API_KEY');
    else missing('fluxra.apiKey', 'the API key (sk_…) of FLUXRA_AGENT_ID');
  }
  return problems;
}

function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ key: '(file)', found: `${path} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, expected: 'a readable JSON file' }]);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) throw new Error('not an object');
    return parsed;
  } catch (error) {
    throw new ConfigError([{ key: '(file)', found: `${path}: ${(error as Error).message}`, expected: 'a JSON object' }]);
  }
}

/** Reads the file and environment, validates everything, and returns a frozen config. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const explicit = options.path ?? env[CONFIG_PATH_ENV];
  let source: string | undefined;
  let raw: Json = {};
  if (explicit) {
    source = resolve(explicit);
    raw = readConfigFile(source);
  } else if (existsSync(DEFAULT_CONFIG_PATH)) {
    source = resolve(DEFAULT_CONFIG_PATH);
    raw = readConfigFile(source);
  }

  const problems: ConfigProblem[] = [];
  for (const key of SECRET_KEYS) {
    if (getPath(raw, key) !== undefined) {
      problems.push({ key, found: 'a value in the config file', expected: `secrets only in the environment (${envNameFor(key) ?? 'env'})` });
    }
  }

  let input: Json = options.overrides ? deepMerge(raw, options.overrides) : raw;
  input = deepMerge({}, input);
  for (const [name, key] of Object.entries(SECRET_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(input, key, value.trim());
  }

  const parsed = configSchema.safeParse(input);
  if (!parsed.success) problems.push(...problemsFromZod(parsed.error, input));
  else problems.push(...coherenceProblems(parsed.data));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const config = parsed.data;
  for (const key of SECRET_KEYS) {
    const value = getPath(config, key);
    if (typeof value === 'string') registerSecret(value);
  }
  const enabled: EnabledParts = {
    slack: Boolean(config.slack.botToken && (config.slack.mode === 'socket' ? config.slack.appToken : config.slack.signingSecret)),
    discord: Boolean(config.discord.token),
    fluxra: Boolean(config.fluxra.agentId && config.fluxra.apiKey),
    blocks: Boolean(config.blocks.apiKey),
  };
  return { config: deepFreeze(config), enabled: Object.freeze(enabled), source };
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (isObject(value) || Array.isArray(value)) {
    for (const child of Object.values(value as object)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
