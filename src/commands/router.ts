/**
 * The platform-neutral command router: parse → validate → permission check → handler →
 * reply. Whatever happens, the person who ran the command gets one short, specific answer
 * through `adapter.reply` (ephemeral), never a stack trace; the detail goes to the log.
 *
 * Wiring (composition root):
 *   adapter.onEvent(async (e) => { if (e.kind === 'command') await router.handle(e, adapter); });
 */

import type { ChatAdapter, CommandInvocation, CommandSpec } from '../core/chat.js';
import { ConfigError, describeError, UpstreamError, UserInputError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { showInput } from '../core/text.js';
import type { DedupeRepository } from '../store/dedupe.js';
import { isStoreUnreachable } from '../store/errors.js';
import type { Permissions } from './permissions.js';
import type { CommandHandler } from './types.js';
import { answerForUpstreamError } from './upstream-answer.js';

/** The answer to anything we did not foresee; the log line next to it has the detail. */
export const UNEXPECTED_ERROR_ANSWER = "Something went wrong; the details are in the bridge's log.";

export interface CommandRouterOptions {
  /** One per command; names must be distinct. */
  handlers: ReadonlyArray<CommandHandler<unknown>>;
  permissions: Permissions;
  logger: Logger;
  /**
   * The store's seen-before markers. With it, a command whose handler says it changes state
   * runs once per `eventId` (Slack `trigger_id`, Discord interaction id: the key `/agent`'s
   * session records use), so an exact replay of a signed request does nothing.
   */
  dedupe?: Pick<DedupeRepository, 'seen'>;
  /**
   * Configured command names this configuration does not offer, with the answer to give when
   * one is run anyway (a Slack app created from a manifest that lists every command).
   */
  unavailable?: Readonly<Record<string, string>>;
}

/**
 * The answer when the store cannot be reached: nothing was done (or made durable), and the
 * same command may work in a moment. Never silence, never "something went wrong".
 */
export const STORE_UNAVAILABLE_ANSWER = 'The bridge is temporarily unavailable (its store does not answer); nothing was done. Try again in a minute.';

/** The answer to a replayed state-changing command. */
export const REPLAYED_COMMAND_ANSWER = 'This request was already handled; nothing was done again.';

export interface CommandRouter {
  /** What adapters register (Slack manifest, Discord `registerCommands`). */
  readonly specs: readonly CommandSpec[];
  /** Answers the invocation; never rejects (a failed reply is logged). */
  handle(invocation: CommandInvocation, adapter: ChatAdapter): Promise<void>;
}

type Outcome = 'answered' | 'invalid' | 'refused' | 'replayed' | 'upstream-error' | 'store-unavailable' | 'user-error' | 'failed' | 'unknown-command';

/** For logs: what was typed, without letting 10 kB of it into every line. */
function argsForLog(args: readonly string[]): string[] {
  const shown = args.slice(0, 6).map((arg) => (arg.length > 60 ? `${arg.slice(0, 60)}…` : arg));
  if (args.length > 6) shown.push(`(+${args.length - 6} more)`);
  return shown;
}

/**
 * Whether Discord should offer the command only to members with Manage Channels: never for a
 * command with open parts (`/agent`, `/bridge status`), and for a restricted one only when no
 * Discord allow-list exists (hiding it would hide it from the very people listed).
 */
export function registersPrivileged(handler: Pick<CommandHandler<unknown>, 'registration'>, permissions: Pick<Permissions, 'privilegedOnlyOnDiscord'>): boolean {
  return handler.registration === 'privileged' && permissions.privilegedOnlyOnDiscord;
}

export function createCommandRouter(options: CommandRouterOptions): CommandRouter {
  const { permissions, logger } = options;
  const handlers = new Map<string, CommandHandler<unknown>>();
  for (const handler of options.handlers) {
    if (handlers.has(handler.name)) {
      throw new ConfigError([{ key: 'commands', found: `two commands named "${handler.name}"`, expected: 'a distinct name for each command' }]);
    }
    handlers.set(handler.name, handler);
  }

  const specs: CommandSpec[] = options.handlers.map((handler) => ({
    ...handler.spec,
    name: handler.name,
    requiresPrivilege: registersPrivileged(handler, permissions),
  }));

  async function decide(handler: CommandHandler<unknown>, invocation: CommandInvocation, log: Logger): Promise<{ text: string; outcome: Outcome }> {
    // Adapters split on whitespace; empty words (doubled spaces, Discord's empty options) mean nothing.
    const args = invocation.args.filter((arg) => arg !== '');
    const parsed = handler.parse(args);
    if (!parsed.ok) return { text: parsed.message, outcome: 'invalid' };

    if (handler.access(parsed.value) === 'restricted') {
      const decision = permissions.check(invocation.platform, invocation.user, handler.permissionVerb);
      if (!decision.allowed) return { text: decision.message, outcome: 'refused' };
      log.debug({ reason: decision.reason }, 'command permitted');
    }

    if (options.dedupe !== undefined && handler.changesState?.(parsed.value) === true && (await options.dedupe.seen(`command:${invocation.eventId}`))) {
      return { text: REPLAYED_COMMAND_ANSWER, outcome: 'replayed' };
    }

    try {
      const admin = permissions.isAdmin(invocation.platform, invocation.user.id);
      return { text: await handler.run(parsed.value, { invocation, logger: log, admin }), outcome: 'answered' };
    } catch (error) {
      if (error instanceof UserInputError) return { text: error.message, outcome: 'user-error' };
      if (isStoreUnreachable(error)) {
        log.warn({ err: describeError(error) }, 'command failed: the store does not answer');
        return { text: STORE_UNAVAILABLE_ANSWER, outcome: 'store-unavailable' };
      }
      const upstream = answerForUpstreamError(error);
      if (upstream !== undefined) {
        const detail = error instanceof UpstreamError ? { code: error.code, status: error.status, method: error.method, url: error.url, detail: error.detail } : {};
        log.warn({ err: error, ...detail }, `command failed upstream: ${describeError(error)}`);
        return { text: upstream, outcome: 'upstream-error' };
      }
      log.error({ err: error }, `command failed: ${describeError(error)}`);
      return { text: UNEXPECTED_ERROR_ANSWER, outcome: 'failed' };
    }
  }

  return {
    specs,
    async handle(invocation, adapter) {
      const log = logger.child({
        command: invocation.command,
        platform: invocation.platform,
        userId: invocation.user.id,
        channelId: invocation.channel.channelId,
        eventId: invocation.eventId,
      });
      const handler = handlers.get(invocation.command);
      let answer: { text: string; outcome: Outcome };
      const unavailable = options.unavailable?.[invocation.command];
      if (handler === undefined) {
        answer = { text: unavailable ?? `The bridge has no ${showInput(`/${invocation.command}`)} command.`, outcome: 'unknown-command' };
      } else {
        try {
          answer = await decide(handler, invocation, log);
        } catch (error) {
          if (isStoreUnreachable(error)) {
            // The replay check could not read the store.
            log.warn({ err: describeError(error) }, 'command failed: the store does not answer');
            answer = { text: STORE_UNAVAILABLE_ANSWER, outcome: 'store-unavailable' };
          } else {
            // A bug in a parser or in the permission rules: still answer the person.
            log.error({ err: error }, `command failed: ${describeError(error)}`);
            answer = { text: UNEXPECTED_ERROR_ANSWER, outcome: 'failed' };
          }
        }
      }
      log.info({ outcome: answer.outcome, args: argsForLog(invocation.args) }, 'command handled');
      try {
        await adapter.reply(invocation, { text: answer.text }, { ephemeral: true });
      } catch (error) {
        log.error({ err: error }, `could not answer the command: ${describeError(error)}`);
      }
    },
  };
}
