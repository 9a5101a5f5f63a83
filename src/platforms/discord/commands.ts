/**
 * Neutral command specs ↔ Discord application commands: the JSON we register, and the
 * words (`args`) we read back out of an interaction's options.
 */
import { PermissionFlagsBits, type RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';
import type { CommandSpec } from '../../core/chat.js';

type CommandJson = RESTPutAPIApplicationCommandsJSONBody[number];

/** Discord limits descriptions to 100 characters and refuses empty ones. */
function description(text: string): string {
  const trimmed = text.trim() || '-';
  return trimmed.length <= 100 ? trimmed : `${trimmed.slice(0, 99)}…`;
}

/**
 * One chat-input command per spec: each subcommand a type-1 option with string options.
 * Discord requires required options before optional ones, so they are registered in that
 * order; args are still read back in the spec's declared order.
 */
export function commandJson(spec: CommandSpec): CommandJson {
  return {
    type: 1,
    name: spec.name,
    description: description(spec.description),
    // Server-only: the bridge links guild channels, so DMs have nothing to act on.
    contexts: [0],
    default_member_permissions: spec.requiresPrivilege ? PermissionFlagsBits.ManageChannels.toString() : null,
    options: spec.subcommands.map((sub) => ({
      type: 1,
      name: sub.name,
      description: description(sub.description),
      options: [...sub.options.filter((option) => option.required), ...sub.options.filter((option) => !option.required)].map((option) => ({
        type: 3,
        name: option.name,
        description: description(option.description),
        required: option.required,
      })),
    })),
  } as CommandJson;
}

/** One resolved option as discord.js exposes it (`interaction.options.data`). */
export interface InteractionOption {
  name: string;
  type: number;
  value?: string | number | boolean | undefined;
  options?: readonly InteractionOption[] | undefined;
}

/**
 * The invocation's words: [subcommand group?, subcommand, ...option values]. With a spec,
 * values follow the spec's declared order; a missing optional value in the middle is an
 * empty string (so positions keep their meaning) and missing trailing ones are left out.
 * Without a spec (a command registered by someone else) values follow Discord's order.
 */
export function commandArgs(spec: CommandSpec | undefined, options: readonly InteractionOption[]): string[] {
  const args: string[] = [];
  let level = options;
  // Subcommand groups (type 2) and subcommands (type 1) nest their options.
  for (let node = level[0]; node && (node.type === 1 || node.type === 2); node = level[0]) {
    args.push(node.name);
    level = node.options ?? [];
    if (node.type === 1) break;
  }
  const values = new Map(level.filter((option) => option.value !== undefined).map((option) => [option.name, String(option.value)]));
  const declared = spec?.subcommands.find((sub) => sub.name === args.at(-1))?.options.map((option) => option.name);
  if (!declared) return [...args, ...values.values()];
  const ordered = declared.map((name) => values.get(name) ?? '');
  while (ordered.length > 0 && ordered.at(-1) === '') ordered.pop();
  return [...args, ...ordered];
}
