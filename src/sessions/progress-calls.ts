/**
 * The calls to a platform's progress surface. A method a workspace or token refuses (an
 * error that is not retryable) is logged once and not tried again; a retryable failure is
 * only noted, and the call comes again with the next update or refresh.
 */
import type { ChatAdapter, ProgressSurface } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import type { EngineContext } from './context.js';

type Platform = ChatAdapter['platform'];

export interface ProgressCalls {
  surfaceOf(platform: Platform): ProgressSurface | undefined;
  /** Runs one surface method; undefined when it failed or was refused before. */
  attempt<T>(platform: Platform, method: string, action: () => Promise<T>): Promise<T | undefined>;
  refused(platform: Platform, method: string): boolean;
}

export function createProgressCalls(ctx: Pick<EngineContext, 'adapters' | 'logger'>): ProgressCalls {
  const refused = new Set<string>();
  return {
    surfaceOf: (platform) => ctx.adapters.get(platform)?.progress,
    refused: (platform, method) => refused.has(`${platform}:${method}`),

    async attempt(platform, method, action) {
      const key = `${platform}:${method}`;
      if (refused.has(key)) return undefined;
      try {
        return await action();
      } catch (error) {
        const retryable = (error as { retryable?: unknown }).retryable === true;
        if (!retryable) {
          refused.add(key);
          ctx.logger.warn({ platform, method, err: describeError(error) }, 'the platform refused a progress method; falling back to plain posts for it');
        } else {
          ctx.logger.debug({ platform, method, err: describeError(error) }, 'a progress call failed; trying again later');
        }
        return undefined;
      }
    },
  };
}
