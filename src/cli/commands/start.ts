/** `fluxra-bridge start`: run the bridge (what `npm start` and the container run). */
import type { CommandDef } from '../command-def.js';

export const startCommand: CommandDef = {
  path: ['start'],
  summary: 'Run the bridge until SIGTERM or SIGINT',
  description: [
    'Runs the bridge: connects the configured platforms, mirrors linked channels, answers slash',
    'commands and agent requests, and serves /healthz and /readyz. SIGTERM or SIGINT stops it',
    'gracefully. Logs are JSON lines on stdout.',
  ].join('\n'),
  options: {},
  positionals: [],
  exitCodes: ['0  stopped cleanly after SIGTERM/SIGINT', '1  the bridge could not start (or could not stop cleanly)', '2  invalid configuration (every problem is listed on stderr), or no chat platform or no upstream configured (one line names what is missing)'],
  load: async () => {
    const { runBridge } = await import('../start.js');
    return (input, io) => runBridge(io, typeof input.options['config'] === 'string' ? { configPath: input.options['config'] } : {});
  },
};
