/** `fluxra-bridge check`: see `commands/check.ts`. */
import { Agent } from 'undici';
import { checkBlocks } from '../check/blocks.js';
import { checkFluxra } from '../check/fluxra.js';
import { checkDiscord, checkSlack } from '../check/platforms.js';
import { formatReport } from '../check/report.js';
import { checkTenancy } from '../check/tenancy.js';
import { ok } from '../check/result.js';
import { checkRedis, checkStore } from '../check/storage.js';
import type { CommandRun } from '../command-def.js';
import { nothingConfigured } from '../essentials.js';
import { EXIT_CONFIG, EXIT_FAILED, EXIT_OK } from '../exit.js';
import { BIN } from '../help.js';
import { loadCliConfig } from '../load.js';

export const runCheck: CommandRun = async (input, io) => {
  const outcome = loadCliConfig(io, typeof input.options['config'] === 'string' ? input.options['config'] : undefined);
  if (!outcome.ok) return outcome.code;
  const loaded = outcome.loaded;
  // Nothing to check: say so and touch nothing (no store file is created either).
  const nothing = nothingConfigured(loaded);
  if (nothing !== undefined) {
    io.err(`${BIN}: ${nothing}`);
    return EXIT_CONFIG;
  }
  const configLine = ok('config', loaded.source ? `valid: ${loaded.source} and the environment` : 'valid: defaults and the environment (no config file)');

  const dispatcher = new Agent();
  // Redis first: the Blocks check books its request in the shared budget when there is one.
  const redis = await checkRedis(loaded);
  try {
    const [store, fluxra, blocks, slack, discord, tenancy] = await Promise.all([
      checkStore(loaded),
      checkFluxra(loaded, dispatcher),
      checkBlocks(loaded, { dispatcher, redis: redis.redis }),
      checkSlack(loaded, dispatcher),
      checkDiscord(loaded, dispatcher),
      checkTenancy(loaded, dispatcher),
    ]);
    const results = [configLine, store, redis.result, ...fluxra, blocks, ...slack, discord, ...tenancy];
    io.out(formatReport(results));
    return results.some((result) => result.status === 'failed') ? EXIT_FAILED : EXIT_OK;
  } finally {
    await redis.redis?.close().catch(() => undefined);
    await dispatcher.close();
  }

};
