/**
 * Turns what a visitor types in the Discord pane (`/agent fix the tests`, `/bridge link
 * conv_…`) into what Discord's own client would send: a command, a subcommand and named
 * options, read against the commands the bridge registered. Options may be named as in
 * Discord's UI (`agent:codex`); unnamed words fill the options in order, one word each,
 * except a `prompt` or the last option, which takes the rest.
 */

/** A registered chat-input command, as `PUT /applications/…/commands` received it. */
interface RegisteredOption {
  type: number;
  name: string;
  required?: boolean;
  options?: RegisteredOption[];
}

interface RegisteredCommand {
  name: string;
  options?: RegisteredOption[];
}

export type DiscordCommandParse =
  | { ok: true; commandName: string; subcommand?: string; options: Array<{ name: string; value: string }>; shown: string }
  | { ok: false; message: string };

const SUBCOMMAND = 1;

function isRegistered(value: unknown): value is RegisteredCommand {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string';
}

/** Splits `words name:value more name2:value2` into the unnamed words and the named values. */
function splitNamed(text: string, names: readonly string[]): { positional: string[]; named: Map<string, string> } {
  const named = new Map<string, string>();
  if (names.length === 0) return { positional: text.split(/\s+/).filter(Boolean), named };
  const pattern = new RegExp(`(?:^|\\s)(${names.join('|')}):`, 'g');
  const marks = [...text.matchAll(pattern)];
  const head = marks.length > 0 ? text.slice(0, marks[0]?.index) : text;
  marks.forEach((mark, index) => {
    const start = (mark.index ?? 0) + mark[0].length;
    const end = marks[index + 1]?.index ?? text.length;
    named.set(mark[1] ?? '', text.slice(start, end).trim());
  });
  return { positional: head.split(/\s+/).filter(Boolean), named };
}

export function parseDiscordCommand(text: string, registered: readonly unknown[]): DiscordCommandParse {
  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(text.trim());
  if (!match) return { ok: false, message: 'A command starts with /' };
  const [, name = '', rest = ''] = match;
  const commands = registered.filter(isRegistered);
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    const known = commands.map((candidate) => `/${candidate.name}`).join(', ') || 'none yet (is the bridge connected?)';
    return { ok: false, message: `Discord has no /${name} command in this server. Registered: ${known}.` };
  }

  let words = rest.trim();
  let subcommand: string | undefined;
  let options = command.options ?? [];
  const subcommands = options.filter((option) => option.type === SUBCOMMAND);
  if (subcommands.length > 0) {
    const first = words.split(/\s+/)[0] ?? '';
    const chosen = subcommands.find((sub) => sub.name === first);
    const fallback = subcommands[0];
    if (chosen) {
      words = words.slice(first.length).trim();
    } else if (!(words !== '' && fallback && (fallback.options ?? []).length > 0)) {
      return { ok: false, message: `Choose a subcommand: /${name} ${subcommands.map((sub) => sub.name).join(' | ')}` };
    }
    const sub = chosen ?? (fallback as RegisteredOption);
    subcommand = sub.name;
    options = sub.options ?? [];
  }

  const { positional, named } = splitNamed(
    words,
    options.map((option) => option.name),
  );
  const values: Array<{ name: string; value: string }> = [];
  options.forEach((option, index) => {
    const given = named.get(option.name);
    if (given !== undefined) {
      if (given !== '') values.push({ name: option.name, value: given });
      return;
    }
    const greedy = option.name === 'prompt' || index === options.length - 1;
    const taken = greedy ? positional.splice(0) : positional.splice(0, 1);
    if (taken.length > 0) values.push({ name: option.name, value: taken.join(' ') });
  });
  const missing = options.find((option) => option.required && !values.some((value) => value.name === option.name));
  if (missing) return { ok: false, message: `/${name}${subcommand ? ` ${subcommand}` : ''} needs ${missing.name}: (e.g. ${missing.name}:…)` };
  const shown = [`/${name}`, ...(subcommand ? [subcommand] : []), ...values.map((value) => `${value.name}:${value.value}`)].join(' ');
  return { ok: true, commandName: name, ...(subcommand ? { subcommand } : {}), options: values, shown };
}
