/** Help texts, built from the command table so that they cannot drift from what is parsed. */
import { COMMON_OPTIONS, type CommandDef, type OptionDef } from './command-def.js';

export const BIN = 'fluxra-bridge';

/** The exit codes every command shares (README, top-level help). */
export const EXIT_CODE_LINES = [
  '0  success',
  '1  failure: a check failed, a service refused or was unreachable, or the bridge could not start',
  '2  usage or configuration error: fix the command line or the configuration, then run it again',
] as const;

function commandLine(def: CommandDef): string {
  return [BIN, ...def.path, ...def.positionals.map((p) => `<${p.name}>`)].join(' ');
}

function optionLabel(name: string, option: OptionDef): string {
  const long = `--${name}${option.type === 'string' ? ` ${option.valueName ?? 'VALUE'}` : ''}`;
  return option.short ? `-${option.short}, ${long}` : `    ${long}`;
}

function table(rows: ReadonlyArray<readonly [string, string]>, indent = '  '): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`);
}

export function commandHelp(def: CommandDef): string {
  const options = { ...def.options, ...COMMON_OPTIONS };
  const lines = [`Usage: ${commandLine(def)} [options]`, '', def.description, ''];
  if (def.positionals.length > 0) {
    lines.push('Arguments:', ...table(def.positionals.map((p) => [`<${p.name}>`, p.help] as const)), '');
  }
  lines.push('Options:', ...table(Object.entries(options).map(([name, option]) => [optionLabel(name, option), option.help] as const)), '');
  lines.push('Exit codes:', ...def.exitCodes.map((line) => `  ${line}`));
  return `${lines.join('\n')}\n`;
}

export function topHelp(commands: readonly CommandDef[], version: string): string {
  return [
    `${BIN} ${version}: bridges Slack and Discord channels to Fluxra conversations and Blocks agent sessions`,
    '',
    `Usage: ${BIN} <command> [options]`,
    '',
    'Commands:',
    ...table(commands.map((def) => [[...def.path, ...def.positionals.map((p) => `<${p.name}>`)].join(' '), def.summary] as const)),
    '',
    'Options:',
    ...table([
      ['-h, --help', `Show help; after a command, that command's help (${BIN} check --help)`],
      ['-V, --version', 'Print the version'],
    ]),
    '',
    'Exit codes:',
    ...EXIT_CODE_LINES.map((line) => `  ${line}`),
    '',
    'Configuration: config/bridge.json (or $FLUXRA_BRIDGE_CONFIG, or --config FILE); secrets only from the',
    'environment (FLUXRA_AGENT_ID, FLUXRA_API_KEY, BLOCKS_API_KEY, SLACK_BOT_TOKEN, SLACK_APP_TOKEN,',
    'SLACK_SIGNING_SECRET, DISCORD_TOKEN, REDIS_URL). See the README, "Command line" and "Configuration".',
    '',
  ].join('\n');
}

/** Lists the subcommands of a group (`fluxra-bridge slack`). */
export function groupHelp(group: string, commands: readonly CommandDef[]): string {
  return [
    `Usage: ${BIN} ${group} <command> [options]`,
    '',
    'Commands:',
    ...table(commands.map((def) => [[...def.path.slice(1), ...def.positionals.map((p) => `<${p.name}>`)].join(' '), def.summary] as const)),
    '',
    `Run "${BIN} ${group} <command> --help" for a command's options.`,
    '',
  ].join('\n');
}
