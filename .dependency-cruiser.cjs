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

/**
 * Where the code imports one file more than the table says, and why. Each entry lets the whole
 * folder import exactly that file; anything else of that folder is still refused.
 */
const exceptions = [
  {
    folder: 'simulators',
    to: 'src/services/fluxra/routes.ts',
    why: 'the Fluxra simulator serves the same route table the client calls, so a route override changes both',
  },
  { folder: 'sandbox', to: 'src/config/load.ts', why: 'the sandbox writes a bridge config and loads it like `start` does' },
  { folder: 'sandbox', to: 'src/ratelimit/types.ts', why: 'the console shows the budgets (BudgetSnapshot), a type only' },
  { folder: 'health', to: 'src/metrics/http-observer.ts', why: 'the Blocks key check reads the HTTP outcomes the metrics observer records (an interface it observes)' },
];

const folders = Object.keys(mayImport);
const escape = (text) => text.replace(/[.\-]/g, (c) => `\\${c}`);

/** The table itself must point down only: a loop in it would allow a folder cycle. */
(function assertTableHasNoLoop() {
  const state = {};
  const visit = (folder, trail) => {
    if (state[folder] === 'done') return;
    if (state[folder] === 'visiting') throw new Error(`the may-import table has a loop: ${[...trail, folder].join(' -> ')}`);
    state[folder] = 'visiting';
    for (const next of mayImport[folder]) visit(next, [...trail, folder]);
    state[folder] = 'done';
  };
  for (const folder of folders) visit(folder, []);
})();

/** One rule per folder: it may import only itself, core, what the table names, and its exceptions. */
const tableRules = folders.map((folder) => {
  const allowedFolders = [folder, 'core', ...mayImport[folder]].map(escape).join('|');
  const allowedFiles = exceptions.filter((e) => e.folder === folder).map((e) => `^${escape(e.to)}$`);
  return {
    name: `${folder}-may-import`,
    comment: `src/${folder}/ may import only: ${['core', ...mayImport[folder]].join(', ')}`,
    severity: 'error',
    from: { path: `^src/${escape(folder)}/` },
    to: { path: '^src/', pathNot: [`^src/(${allowedFolders})/`, ...allowedFiles] },
  };
});

const CHAT_LIBRARIES = 'node_modules/(@slack/bolt|@slack/socket-mode|discord\\.js|@discordjs)/';

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
      comment: 'Bolt and discord.js are imported only by src/platforms.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(platforms|simulators|sandbox)/'] },
      to: { path: CHAT_LIBRARIES },
    },
    {
      name: 'simulators-use-only-wire-types',
      comment: 'The simulators (and the sandbox showing them) use discord.js only for its published API payload types, never its code.',
      severity: 'error',
      from: { path: '^src/(simulators|sandbox)/' },
      to: { path: CHAT_LIBRARIES, dependencyTypesNot: ['type-only'] },
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
