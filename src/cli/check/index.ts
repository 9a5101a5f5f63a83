/**
 * Every part `fluxra-bridge check` reaches, in the fixed order of its report. Parts are
 * checked independently (one failing never hides another).
 */
import { Agent } from 'undici';
import type { LoadedConfig } from '../../config/load.js';
import { checkBlocks } from './blocks.js';
import { checkFluxra } from './fluxra.js';
import { checkDiscord, checkSlack } from './platforms.js';
import type { CheckResult } from './result.js';
import { checkRedis, checkStore } from './storage.js';
import { checkTenancy } from './tenancy.js';

export async function checkEveryPart(loaded: LoadedConfig): Promise<CheckResult[]> {
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
    return [store, redis.result, ...fluxra, blocks, ...slack, discord, ...tenancy];
  } finally {
    await redis.redis?.close().catch(() => undefined);
    await dispatcher.close();
  }
}
