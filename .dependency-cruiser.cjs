/**
 * The import rules of the "where things live" table (README, Architecture): each folder of
 * src/ names the folders it may import; everything else is an error. `core` is the hub every
 * folder may import, and it imports nothing of ours. Run with `npm run lint:deps`.
 *
 * Where the code needs a little more than the table says, the extra is allowed below with
 * the reason next to it, so the table can be refined deliberately rather than by drift.
 */

/** Folder (under src/) -> folders it may import besides itself and core. */
const mayImport = {
  core: [],
  config: [],
  format: [],
  platforms: ['format'],
  ratelimit: [],
  services: ['ratelimit'],
  store: [],
  delivery: ['store'],
  cluster: ['store'],
  mirror: ['format', 'delivery', 'services', 'store'],
  'catch-up': ['format', 'delivery', 'services', 'store'],
  sessions: ['format', 'delivery', 'services', 'ratelimit', 'store'],
  // "engines" in the table: the mirror, catch-up and sessions, whose state the commands show and change.
  commands: ['format', 'mirror', 'catch-up', 'sessions', 'services', 'store'],
  // "the interfaces they observe": the store, the outbox, the cluster, the budgets, the API clients.
  health: ['store', 'delivery', 'cluster', 'ratelimit', 'services'],
  metrics: ['store', 'delivery', 'cluster', 'ratelimit', 'services'],
  app: ['config', 'format', 'platforms', 'ratelimit', 'services', 'store', 'delivery', 'cluster', 'mirror', 'catch-up', 'sessions', 'commands', 'health', 'metrics'],
  cli: ['app', 'config', 'services', 'ratelimit', 'store', 'platforms'],
  simulators: [],
  sandbox: ['simulators', 'app'],
};

const folders = Object.keys(mayImport);
const escape = (name) => name.replace(/[-]/g, '\\-');

/** One rule per folder: it may import only itself, core, and what the table names. */
const tableRules = folders.map((folder) => {
  const allowed = [folder, 'core', ...mayImport[folder]].map(escape).join('|');
  return {
    name: `${folder}-may-import`,
    comment: `src/${folder}/ may import only: ${['core', ...mayImport[folder]].join(', ')}`,
    severity: 'error',
    from: { path: `^src/${escape(folder)}/` },
    to: { path: '^src/', pathNot: `^src/(${allowed})/` },
  };
});

module.exports = {
  forbidden: [
    ...tableRules,
    {
      name: 'no-file-cycles',
      comment: 'Files never import each other in a loop.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-never-imports-test',
      comment: 'Nothing under src/ imports test/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'entry-points-only-at-top',
      comment: 'Only the entry points (src/main.ts, src/cli.ts) live at the top of src/; nothing imports them.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'chat-libraries-only-in-platforms',
      comment: 'Bolt and discord.js are imported only by src/platforms (the simulators speak their wire formats, not their libraries).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/platforms/' },
      to: { path: 'node_modules/(@slack/bolt|@slack/socket-mode|discord\\.js|@discordjs)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
