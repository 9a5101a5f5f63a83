/**
 * Connecting a platform at start, with the catch-up told before and after (its live events
 * wait for the catch-up of what was missed): Slack on every replica, and the Discord gateway
 * as a leader duty that also registers the commands.
 */
import type { CatchUp } from '../catch-up/index.js';
import type { Duty } from '../cluster/leader-duties.js';
import type { ChatAdapter, CommandSpec } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { DiscordAdapter } from '../platforms/discord/index.js';

export async function connectPlatform(adapter: ChatAdapter, catchUp: Pick<CatchUp, 'starting' | 'started'>, logger: Logger): Promise<void> {
  catchUp.starting(adapter);
  await adapter.start();
  catchUp.started(adapter);
  logger.info({ platform: adapter.platform, selfUserId: adapter.selfUserId }, 'platform connected');
}

export function discordGatewayDuty(gateway: DiscordAdapter, deps: { catchUp: Pick<CatchUp, 'starting' | 'started'>; commands: readonly CommandSpec[]; logger: Logger }): Duty {
  const { catchUp, commands, logger } = deps;
  return {
    name: 'discord-gateway',
    async start() {
      await connectPlatform(gateway, catchUp, logger);
      if (commands.length === 0) return;
      try {
        await gateway.registerCommands([...commands]);
      } catch (error) {
        // Commands stay as they were registered last time; the bridge still runs.
        logger.error({ err: describeError(error) }, 'Discord command registration failed');
      }
    },
    stop: () => gateway.stop(),
  };
}
