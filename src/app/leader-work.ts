/**
 * What only the leader runs (always this process without Redis), in starting order: the
 * Discord gateway, the tenancy migration, then the event consumers; plus the safety-net scan
 * and the wake-up targets. `buildBridge` hands this to `cluster.start`.
 */
import type { CatchUp } from '../catch-up/index.js';
import type { Duty } from '../cluster/leader-duties.js';
import type { ClusterRuntime } from '../cluster/runtime.js';
import type { ChatAdapter, CommandSpec } from '../core/chat.js';
import type { InboundConsumer } from '../core/consumer.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { MirrorEngine } from '../mirror/engine.js';
import type { DiscordAdapter } from '../platforms/discord/index.js';
import type { SessionEngine } from '../sessions/engine.js';
import type { ConversationOwners } from '../store/conversation-owners.js';
import type { Store } from '../store/index.js';
import { discordGatewayDuty } from './platform-connect.js';
import { migrateTenancy } from './tenancy.js';

export interface LeaderWorkParts {
  discord: DiscordAdapter | undefined;
  catchUp: CatchUp;
  commands: readonly CommandSpec[];
  store: Store;
  owners: ConversationOwners;
  adapters: readonly ChatAdapter[];
  consumers: readonly InboundConsumer[];
  mirror: MirrorEngine | undefined;
  sessions: SessionEngine | undefined;
  logger: Logger;
}

export function leaderWork(parts: LeaderWorkParts): Parameters<ClusterRuntime['start']>[0] {
  const { discord, catchUp, store, adapters, consumers, mirror, sessions, logger } = parts;
  const duties: Duty[] = [];
  if (discord) duties.push(discordGatewayDuty(discord, { catchUp, commands: parts.commands, logger }));
  // Links older than conversation owners get theirs (needs the platforms for channel → place).
  duties.push({
    name: 'tenancy-migration',
    start: () =>
      migrateTenancy({ store, owners: parts.owners, adapters, logger }).then(
        () => undefined,
        (error: unknown) => logger.warn({ err: describeError(error) }, 'tenancy migration failed; retried at next start'),
      ),
    stop: async () => undefined,
  });
  for (const consumer of consumers) duties.push({ name: consumer.name, start: () => consumer.start(), stop: () => consumer.stop() });
  return {
    duties,
    // The safety net under the wake-ups: whatever is queued gets looked at.
    async scan() {
      await mirror?.rescan();
      await sessions?.rescan();
    },
    targets: { ...(mirror ? { mirror } : {}), ...(sessions ? { sessions } : {}) },
  };
}
