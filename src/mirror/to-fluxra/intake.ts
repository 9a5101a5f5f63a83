/**
 * The mirror's `accept`: decides whether a platform event is the mirror's to deliver and,
 * if so, makes it durable in the outbox (partition = its channel, so order holds per
 * channel) before resolving, after which the platform is acknowledged. Nothing is sent
 * here. Duplicates (a Slack retry, a gateway replay, the message + app_mention pair) are
 * queued like anything else: delivery is idempotent per source message, which drops them
 * without a second lookup on this hot path.
 *
 * Order: events of one channel are queued in the order `accept` was called, which is the
 * order the adapter delivered them. The link lookup is a store read that can finish out of
 * order (SQLite reads run on a thread pool), so each channel's accepts form a chain and no
 * event overtakes an earlier one of its channel on the way into the outbox.
 */

import { toChannelRef } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import type { LinksRepository, OutboxRepository } from '../../store/index.js';
import { type MirrorConfig, type MirrorItem, mirrorPartition } from '../mirror-item.js';

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
  // The bridge's post for an agent (agent-post.ts): mirrored as the agent's, unlike its other posts.
  if (item.kind === 'message' && item.agent !== undefined) return undefined;
  if (item.author.isSelf) return 'our own post';
  if (item.author.isBot && !config.allowBotMessages) return 'another bot';
  return undefined;
}

export function createMirrorIntake(deps: MirrorIntakeDeps): { accept(item: MirrorItem): Promise<void> } {
  const { links, outbox, config, onEnqueued, logger } = deps;
  /** The last accept of each channel still under way; removed when the chain drains. */
  const tails = new Map<string, Promise<void>>();

  async function queue(item: MirrorItem, partition: string): Promise<void> {
    // Paused links still queue: their items wait for the link to resume.
    if ((await links.get(toChannelRef(item.ref))) === undefined) return;
    await outbox.enqueue(partition, item);
    onEnqueued(partition);
  }

  return {
    accept(item) {
      const reason = skipReason(item, config);
      if (reason !== undefined) {
        logger.trace({ eventId: item.eventId, reason }, 'not mirrored');
        return Promise.resolve();
      }
      const partition = mirrorPartition(toChannelRef(item.ref));
      const previous = tails.get(partition) ?? Promise.resolve();
      // An earlier failure is that event's (it is not acked and comes again), not this one's.
      const mine = previous.catch(() => undefined).then(() => queue(item, partition));
      tails.set(partition, mine);
      const forget = (): void => {
        if (tails.get(partition) === mine) tails.delete(partition);
      };
      mine.then(forget, forget);
      return mine;
    },
  };
}
