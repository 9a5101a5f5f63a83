/**
 * Blocks: is the API key accepted? One GET of a session id that cannot exist, sent through
 * the rate budget like every Blocks request (the shared one when Redis is configured), so
 * the check never pushes the key past its 100 requests a minute. 404 means the key was
 * accepted (the session is simply not there); 401/403 mean it was refused.
 */
import type { Dispatcher } from 'undici';
import type { LoadedConfig } from '../../config/load.js';
import { RateLimitedError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { createBlocksBudget } from '../../ratelimit/blocks-budget.js';
import { budgetScope } from '../../ratelimit/budget-id.js';
import type { BudgetRedis } from '../../ratelimit/budget-redis.js';
import { BlocksApiError, BlocksErrorCode, createBlocksClient } from '../../services/blocks/index.js';
import { type CheckResult, failed, notConfigured, ok, reasonOf } from './result.js';

const PART = 'blocks key';
/** A valid UUID (the client refuses anything else) that no session has. */
export const PROBE_SESSION_ID = '00000000-0000-4000-8000-000000000000';

export interface BlocksCheckDeps {
  dispatcher: Dispatcher;
  /** The shared budget's Redis when configured; `null` when it is configured but down. */
  redis: BudgetRedis | undefined | null;
}

export async function checkBlocks(loaded: LoadedConfig, deps: BlocksCheckDeps): Promise<CheckResult> {
  const { config } = loaded;
  const apiKey = config.blocks.apiKey;
  if (apiKey === undefined) return notConfigured(PART, 'set BLOCKS_API_KEY to run agent sessions');
  if (deps.redis === null) return failed(PART, 'not checked: the shared rate budget needs Redis, which is not reachable', 'fix Redis first (see the redis line)');

  // The bridge's own budget (same scope, same Redis): the probe counts against the key like any request.
  const budget = await createBlocksBudget({
    apiKey,
    rateLimit: config.blocks.rateLimit,
    ...(deps.redis ? { redis: deps.redis, idPrefix: budgetScope(config) } : {}),
    logger: silentLogger(),
  });
  try {
    const client = createBlocksClient({
      baseUrl: config.blocks.baseUrl,
      apiKey,
      dispatcher: deps.dispatcher,
      budget,
      requestTimeoutMs: config.blocks.requestTimeoutMs,
      maxRetries: 0,
      logger: silentLogger(),
    });
    await client.getSession(PROBE_SESSION_ID);
    return ok(PART, `accepted by ${config.blocks.baseUrl}`);
  } catch (error) {
    if (error instanceof BlocksApiError && error.code === BlocksErrorCode.NotFound) {
      return ok(PART, `accepted by ${config.blocks.baseUrl} (a probe for a session that does not exist got 404, as expected)`);
    }
    if (error instanceof BlocksApiError && error.code === BlocksErrorCode.Auth) {
      return failed(PART, `refused by ${config.blocks.baseUrl}: ${reasonOf(error)}`, 'BLOCKS_API_KEY is wrong, revoked, or belongs to another environment than blocks.baseUrl');
    }
    if (error instanceof RateLimitedError) {
      return failed(PART, reasonOf(error), "the key's 100 requests a minute are in use (another replica or tool?); try again in a minute");
    }
    return failed(PART, reasonOf(error), 'check blocks.baseUrl and the network');
  } finally {
    await budget.close();
  }
}
