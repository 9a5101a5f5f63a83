/**
 * Bolt, the Web API client and the Socket Mode client each want a `@slack/logger` Logger;
 * this one forwards to our pino logger so that their lines carry our redaction and format.
 */
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../core/logger.js';

const PINO_LEVEL: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

function levelOf(logger: Logger): LogLevel {
  if (logger.isLevelEnabled('debug')) return LogLevel.DEBUG;
  if (logger.isLevelEnabled('info')) return LogLevel.INFO;
  if (logger.isLevelEnabled('warn')) return LogLevel.WARN;
  return LogLevel.ERROR;
}

function text(parts: unknown[]): string {
  return parts.map((part) => (part instanceof Error ? `${part.name}: ${part.message}` : typeof part === 'string' ? part : JSON.stringify(part))).join(' ');
}

/** A Bolt-compatible logger writing to `logger` under `component: slack-sdk`. */
export function createBoltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack-sdk' });
  let name = 'slack';
  const write = (level: LogLevel, parts: unknown[]): void => {
    // Bolt logs its own listener errors at error level; we log those ourselves with context.
    child[PINO_LEVEL[level] as 'info']({ sdk: name }, text(parts));
  };
  return {
    debug: (...parts: unknown[]) => write(LogLevel.DEBUG, parts),
    info: (...parts: unknown[]) => write(LogLevel.INFO, parts),
    warn: (...parts: unknown[]) => write(LogLevel.WARN, parts),
    error: (...parts: unknown[]) => write(LogLevel.ERROR, parts),
    // The level follows our logger's; Bolt's attempts to change it are ignored.
    setLevel: () => undefined,
    getLevel: () => levelOf(child),
    setName: (value: string) => {
      name = value;
    },
  };
}
