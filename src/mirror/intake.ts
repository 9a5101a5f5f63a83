/**
 * The mirror's `accept`: decides whether a platform event is the mirror's to deliver and,
 * if so, makes it durable in the outbox (partition = its channel, so order holds per
 * channel) before resolving, after which the platform is acknowledged. Nothing is sent
 * here. Duplicates (a Slack retry, a gateway replay, the message + app_mention pair) are
 * queued like anything else: delivery is idempotent per source message, which drops them
 * without a second lookup on this hot path.
 */
import type { Logger } from '../logger.js';
import type { LinksRepository, OutboxRepository } from '../store/index.js';
import { toChannelRef } from '../store/keys.js';
import { mirrorPartition, type MirrorConfig, type MirrorItem } from './mirror-item.js';

export interface MirrorIntakeDeps {
  links: LinksRepository;
  outbox: OutboxRepository;
  config: Pick<MirrorConfig, 'allowBotMessages'>;
  /** Told about every enqueue, so the worker wakes without polling. */
  onEnqueued(partition: string): void;
  logger: Logger;
}

/** Why an event is not mirrored, or undefined when it is. */
export function skipReason(item: MirrorItem, config: Pick<MirrorConfig, 'allowBotMessages'>): string | undefined {
  if (item.kind === 'delete') return undefined;
  if (item.author.isSelf) return 'our own post';
  if (item.author.isBot && !config.allowBotMessages) return 'another bot';
  return undefined;
}

export function createMirrorIntake(deps: MirrorIntakeDeps): { accept(item: MirrorItem): Promise<void> } {
  const { links, outbox, config, onEnqueued, logger } = deps;
  return {
    async accept(item) {
      const reason = skipReason(item, config);
      if (reason !== undefined) {
        logger.trace({ eventId: item.eventId, reason }, 'not mirrored');
        return;
      }
      const channel = toChannelRef(item.ref);
      // Paused links still queue: their items wait for the link to resume.
      if ((await links.get(channel)) === undefined) return;
      const partition = mirrorPartition(channel);
      await outbox.enqueue(partition, item);
      onEnqueued(partition);
    },
  };
}
