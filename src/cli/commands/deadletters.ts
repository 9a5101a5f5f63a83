/**
 * `fluxra-bridge deadletters list|retry|drop`: the operator's view of the queued items that
 * failed for good (a permanent refusal, or `mirror.maxAttempts` failures). They were moved out
 * of their channel's queue so that it goes on; here they are listed, queued again, or dropped.
 * The commands open the store the bridge uses (SQLite file or Redis) and touch nothing else.
 */
import { storeConfigOf } from '../../app/store-config.js';
import type { Store } from '../../store/index.js';
import type { CommandDef, CommandInput, CommandRun } from '../command-def.js';
import { EXIT_FAILED, EXIT_OK } from '../exit.js';
import { BIN } from '../help.js';
import type { CliIo } from '../io.js';
import { configOption, loadCliConfig } from '../load.js';

/** Runs `act` with the configured store open; closes it afterwards. */
async function withStore(input: CommandInput, io: CliIo, act: (store: Store) => Promise<number>): Promise<number> {
  const outcome = await loadCliConfig(io, configOption(input));
  if (!outcome.ok) return outcome.code;
  const { config } = outcome.loaded;
  // Loaded only when the command runs: --help answers without the store's drivers.
  const [{ createStore }, { silentLogger }] = await Promise.all([import('../../store/index.js'), import('../../core/logger.js')]);
  const store = await createStore(storeConfigOf(config), { logger: silentLogger() });
  try {
    return await act(store);
  } finally {
    await store.close();
  }
}

/** What kind of item it was (message, edit, delete, a copy's post...), read defensively. */
function itemKind(item: unknown): string {
  const kind = typeof item === 'object' && item !== null ? (item as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? kind : 'item';
}

const runList: CommandRun = (input, io) =>
  withStore(input, io, async (store) => {
    const letters = await store.deadLetters.list();
    if (letters.length === 0) {
      io.out('No dead letters.');
      return EXIT_OK;
    }
    for (const { entry, reason, deadAt } of letters) {
      io.out(`${entry.id}  ${entry.partition}  ${new Date(deadAt).toISOString()}  ${itemKind(entry.item)}  ${reason}`);
    }
    io.out(`${letters.length} dead letter${letters.length === 1 ? '' : 's'}. Retry one with "${BIN} deadletters retry ID", drop it with "${BIN} deadletters drop ID".`);
    return EXIT_OK;
  });

const runRetry: CommandRun = (input, io) =>
  withStore(input, io, async (store) => {
    const id = input.positionals[0] ?? '';
    const queued = await store.deadLetters.retry(id);
    if (queued === undefined) {
      io.err(`${BIN}: no dead letter ${JSON.stringify(id)} (see "${BIN} deadletters list")`);
      return EXIT_FAILED;
    }
    io.out(`✓ ${id} is queued again (as ${queued}) at the end of its channel's queue; the bridge delivers it with the channel's next message, or at its next start.`);
    return EXIT_OK;
  });

const runDrop: CommandRun = (input, io) =>
  withStore(input, io, async (store) => {
    const id = input.positionals[0] ?? '';
    if (!(await store.deadLetters.drop(id))) {
      io.err(`${BIN}: no dead letter ${JSON.stringify(id)} (see "${BIN} deadletters list")`);
      return EXIT_FAILED;
    }
    io.out(`✓ ${id} is dropped for good.`);
    return EXIT_OK;
  });

const ID = { name: 'ID', help: 'The dead letter\'s id, as "deadletters list" shows it' };
const EXIT_CODES = ['0  done', '1  no dead letter with that id, or the store failed', '2  bad usage or invalid configuration'];

export const deadlettersListCommand: CommandDef = {
  path: ['deadletters', 'list'],
  summary: 'List the queued messages that failed for good (dead letters)',
  description: [
    'Lists every dead letter, one line each: its id, its queue (the source channel; "copies:"',
    'for the copies into the other linked channels), when it failed for good, what it is, and why.',
    'An item becomes a dead letter when Fluxra refuses it for good (400, 403 not about a block,',
    '404, 413, 422) or after mirror.maxAttempts failed attempts; its channel goes on without it.',
  ].join('\n'),
  options: {},
  positionals: [],
  exitCodes: EXIT_CODES,
  run: runList,
};

export const deadlettersRetryCommand: CommandDef = {
  path: ['deadletters', 'retry'],
  summary: 'Queue a dead letter again',
  description: [
    "Queues the dead letter again at the end of its channel's queue and forgets it as a dead",
    "letter. The bridge delivers it with the channel's next message or at its next start; if it",
    'fails for good again, it comes back as a new dead letter.',
  ].join('\n'),
  options: {},
  positionals: [ID],
  exitCodes: EXIT_CODES,
  run: runRetry,
};

export const deadlettersDropCommand: CommandDef = {
  path: ['deadletters', 'drop'],
  summary: 'Forget a dead letter for good',
  description: 'Removes the dead letter from the store: it is not delivered.',
  options: {},
  positionals: [ID],
  exitCodes: EXIT_CODES,
  run: runDrop,
};
