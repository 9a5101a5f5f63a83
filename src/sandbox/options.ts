/**
 * `npm run sandbox [-- --port N --data-dir DIR]`, with `SANDBOX_PORT` and `SANDBOX_DATA_DIR`
 * as the environment's equivalents (flags win). Port 0 asks for any free port.
 */
export interface SandboxCliOptions {
  port: number;
  dataDir: string;
  agentDelayMs: number;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = './data/sandbox';
export const DEFAULT_AGENT_DELAY_MS = 3_000;

export type OptionsOutcome = { ok: true; options: SandboxCliOptions } | { ok: false; message: string };

export const USAGE = [
  'Usage: npm run sandbox [-- --port N] [--data-dir DIR] [--agent-delay-ms MS]',
  `  --port N            console port (env SANDBOX_PORT, default ${DEFAULT_PORT}; 0 = any free port)`,
  `  --data-dir DIR      where the bridge's store and the simulators' state live (env SANDBOX_DATA_DIR, default ${DEFAULT_DATA_DIR})`,
  `  --agent-delay-ms MS how long a simulated Blocks agent works before answering (default ${DEFAULT_AGENT_DELAY_MS})`,
].join('\n');

function integer(value: string, name: string, max: number): number | string {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 && parsed <= max ? parsed : `${name} must be a whole number from 0 to ${max}, not "${value}"`;
}

export function parseSandboxOptions(argv: readonly string[], env: NodeJS.ProcessEnv): OptionsOutcome {
  const raw: Record<string, string | undefined> = {
    port: env['SANDBOX_PORT'],
    'data-dir': env['SANDBOX_DATA_DIR'],
    'agent-delay-ms': undefined,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') ? arg.slice(2).split('=', 2) : [undefined, undefined];
    if (flag === 'help') return { ok: false, message: USAGE };
    if (flag === undefined || !(flag in raw)) return { ok: false, message: `Unknown argument "${arg}".\n${USAGE}` };
    const value = inline ?? argv[(i += 1)];
    if (value === undefined || value === '') return { ok: false, message: `--${flag} needs a value.\n${USAGE}` };
    raw[flag] = value;
  }
  const port = raw['port'] === undefined || raw['port'] === '' ? DEFAULT_PORT : integer(raw['port'], 'The port', 65_535);
  const delay = raw['agent-delay-ms'] === undefined ? DEFAULT_AGENT_DELAY_MS : integer(raw['agent-delay-ms'], 'The agent delay', 600_000);
  if (typeof port === 'string') return { ok: false, message: port };
  if (typeof delay === 'string') return { ok: false, message: delay };
  return { ok: true, options: { port, dataDir: raw['data-dir'] || DEFAULT_DATA_DIR, agentDelayMs: delay } };
}
