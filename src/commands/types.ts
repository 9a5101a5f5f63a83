/**
 * The contract between the command router and one command's handler. Adding a command
 * (`/bridge`, `/agent`) is one new file that exports a `createXCommand(...)` returning a
 * `CommandHandler`, plus one line in `src/app/commands-wiring.ts` that passes it to the router.
 */

import type { CommandInvocation, CommandSpec } from '../core/chat.js';
import type { Logger } from '../core/logger.js';

/** What a parser returns: a value, or a short message written for the person who typed it. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Who may run a parsed command: `everyone` (help, usage) or only people the permission
 * rules allow (`restricted`).
 */
export type CommandAccess = 'everyone' | 'restricted';

/** What a handler gets besides its parsed arguments. */
export interface CommandContext {
  invocation: CommandInvocation;
  /** A child logger already bound to the command, platform and user. */
  logger: Logger;
  /** The person is on the bridge's allow-list (a bridge admin): tenant boundaries do not apply to them. */
  admin: boolean;
}

/**
 * One slash command. The router calls `parse`, then `access`, then (if allowed) `run`, and
 * sends whatever `run` returns (neutral markdown) to the person, ephemerally.
 *
 * `run` may throw: a `UserInputError` is shown as it is; an `UpstreamError` that the
 * handler did not answer itself gets the router's generic answer for its status (429,
 * network, credentials, 5xx); anything else gets "Something went wrong" and a log line.
 */
export interface CommandHandler<T> {
  /** The command name as configured (`commands.block`), without the slash. */
  readonly name: string;
  /** Registration data; the router adds `name` and `requiresPrivilege` (from `registration` and the permission rules). */
  readonly spec: Omit<CommandSpec, 'name' | 'requiresPrivilege'>;
  /** Completes "Only … can ___": e.g. `block` or `manage bridge links`. */
  readonly permissionVerb: string;
  /**
   * Who Discord offers the command to by default (its `default_member_permissions`):
   * `privileged` only when nothing but help is open to everyone (`/block`), so the command
   * can be hidden from the people it would refuse anyway; `everyone` (the default) when some
   * of it is open (`/agent`, `/bridge status`): the router checks `access` at run time.
   */
  readonly registration?: 'privileged' | 'everyone';
  parse(args: readonly string[]): ParseResult<T>;
  access(value: T): CommandAccess;
  /**
   * True when running `value` changes state (links, blocks): the router then runs it at most
   * once per platform request id, so a replayed signed request does nothing the second time.
   */
  changesState?(value: T): boolean;
  run(value: T, context: CommandContext): Promise<string>;
}
