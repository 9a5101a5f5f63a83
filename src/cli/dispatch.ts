/**
 * Turns argv into one command run: finds the command by its words, parses its options
 * strictly (Node's util.parseArgs), answers --help and --version, and reports bad usage
 * as one clear line plus where to find help, with exit code 2.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { COMMON_OPTIONS, type CommandDef } from './command-def.js';
import { EXIT_OK, EXIT_USAGE } from './exit.js';
import { BIN, commandHelp, groupHelp, topHelp } from './help.js';
import type { CliIo } from './io.js';

const HELP_FLAGS = new Set(['-h', '--help']);
const VERSION_FLAGS = new Set(['-V', '--version']);

function usageError(io: CliIo, message: string, helpHint: string): number {
  io.err(`${BIN}: ${message}\nRun "${helpHint} --help" for usage.`);
  return EXIT_USAGE;
}

/** parseArgs' own messages are long and mention internals; keep the part a person needs. */
function parseErrorMessage(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  // parseArgs quotes the option as '--name' or '--name <value>'.
  const quoted = /'([^' ]+)/.exec(message ?? '')?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted) {
    return /argument missing/.test(message ?? '') ? `option ${quoted} needs a value` : `option ${quoted} takes no value`;
  }
  return message ?? String(error);
}

export interface DispatchDeps {
  commands: readonly CommandDef[];
  version: string;
}

export async function dispatch(argv: readonly string[], io: CliIo, deps: DispatchDeps): Promise<number> {
  const { commands } = deps;
  const [first, ...afterFirst] = argv;
  if (first === undefined) {
    io.err(topHelp(commands, deps.version));
    return EXIT_USAGE;
  }
  if (HELP_FLAGS.has(first)) {
    io.out(topHelp(commands, deps.version));
    return EXIT_OK;
  }
  if (VERSION_FLAGS.has(first)) {
    io.out(deps.version);
    return EXIT_OK;
  }
  if (first.startsWith('-')) return usageError(io, `unknown option ${first} (options follow the command)`, BIN);

  const group = commands.filter((def) => def.path[0] === first);
  if (group.length === 0) return usageError(io, `unknown command "${first}"`, BIN);

  let def: CommandDef | undefined;
  let rest: readonly string[];
  if (group.length === 1 && group[0]?.path.length === 1) {
    def = group[0];
    rest = afterFirst;
  } else {
    const [second, ...afterSecond] = afterFirst;
    if (second === undefined || HELP_FLAGS.has(second)) {
      const text = groupHelp(first, group);
      if (second === undefined) {
        io.err(`${BIN}: "${first}" needs a command\n\n${text}`);
        return EXIT_USAGE;
      }
      io.out(text);
      return EXIT_OK;
    }
    def = group.find((candidate) => candidate.path[1] === second);
    if (def === undefined) return usageError(io, `unknown command "${first} ${second}"`, `${BIN} ${first}`);
    rest = afterSecond;
  }

  const helpHint = [BIN, ...def.path].join(' ');
  // Help wins over everything else on the line, so that a half-typed command still shows it.
  if (rest.some((arg) => HELP_FLAGS.has(arg))) {
    io.out(commandHelp(def));
    return EXIT_OK;
  }

  const options: ParseArgsConfig['options'] = {};
  for (const [name, option] of Object.entries({ ...def.options, ...COMMON_OPTIONS })) {
    options[name] = option.short ? { type: option.type, short: option.short } : { type: option.type };
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    return usageError(io, parseErrorMessage(error), helpHint);
  }
  const expected = def.positionals;
  if (parsed.positionals.length < expected.length) {
    const missing = expected
      .slice(parsed.positionals.length)
      .map((p) => `<${p.name}>`)
      .join(' ');
    return usageError(io, `missing ${missing}`, helpHint);
  }
  if (parsed.positionals.length > expected.length) {
    return usageError(io, `unexpected argument "${parsed.positionals[expected.length]}"`, helpHint);
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === '') return usageError(io, `option --${name} needs a non-empty value`, helpHint);
  }
  return def.run({ options: parsed.values, positionals: parsed.positionals }, io);
}
