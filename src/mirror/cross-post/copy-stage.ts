/**
 * Platform ⇄ platform: a person's message in one linked channel is posted, under their
 * name, into every other channel linked to the same conversation (Slack → Discord and
 * back), in the mapped thread when it was a thread reply. Fluxra will not show it to us
 * again (the poller skips the bridge's own messages), so this is the only way it crosses.
 *
 * This is the mirror's second stage: it runs from its own outbox partition per source
 * channel (`copyPartition`), queued by the first stage once Fluxra has the message, so a
 * slow or rate-limited platform holds back only the copies, in order, never the sends.
 *
 * Posts go through `postOnce` keyed by the Fluxra message and the target channel, so a
 * crash between the post and its recording (or the same item queued twice) never posts
 * twice. Edits and deletes follow the recorded copies; both are harmless to repeat. A
 * channel the platform refuses for good (deleted, access lost) is skipped with an error in
 * the log (`postCopyOrSkip` in `delivery/post-once.ts`); anything that may pass is retried with the item.
 */

import type { Author, ChannelRef, MessageRef, OutboundMessage } from '../../core/chat.js';
import type { AdapterDirectory } from '../../core/consumer.js';
import { describeError } from '../../core/errors.js';
import { channelKey, messageKey, toChannelRef } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { editSplit, partsByChannel } from '../../delivery/edit-split.js';
import { isPermanentForCopy, postCopyOrSkip, postKey } from '../../delivery/post-once.js';
import type { DeliveryOutcome } from '../../delivery/runner.js';
import type { OutboxEntry, Store } from '../../store/index.js';
import { crossPostName } from '../attribution.js';
import { deadLetterOutcome, decideRetryOrDead, type RetryTimingConfig, retryOutcome } from '../delivery-decision.js';
import type { CopyItem } from '../mirror-item.js';
import { type PendingCopies, ROOT_MISSING_QUOTE, RootCopyPendingError, rootWaitMs } from '../pending-copies.js';
import { threadsInlineReplies, withQuote } from '../threading.js';

type CopyPost = Extract<CopyItem, { kind: 'post' }>;

export interface CrossPoster {
  /**
   * Carries out one copy-stage item: posts into every other linked channel and records the
   * copies, edits the first copy in each other channel, or deletes every copy and forgets
   * the message. Errors are thrown unchanged (the engine retries the item).
   */
  deliver(item: CopyItem, isStopping: () => boolean): Promise<void>;
  /** The channels a post's copies go to (every other channel linked to its conversation). */
  targetsOf(item: CopyPost): Promise<ChannelRef[]>;
  /** The item was dead-lettered: its copies are no longer pending (replies stop waiting for them). */
  givenUp(item: CopyItem): Promise<void>;
}

export interface CrossPosterDeps {
  store: Store;
  adapters: AdapterDirectory;
  logger: Logger;
  pending: PendingCopies;
}

const sameChannel = (a: ChannelRef, b: ChannelRef): boolean => channelKey(a) === channelKey(b);

/** A copy under its author's name (`Alice (Slack)`), or an agent post's under the agent's (`claude (Blocks)`). */
function outbound(author: Author, source: MessageRef, text: string, agent?: string): OutboundMessage {
  if (agent !== undefined) return { text, as: { name: crossPostName(agent, 'blocks') } };
  return { text, as: { name: crossPostName(author.displayName, source.platform), ...(author.avatarUrl ? { iconUrl: author.avatarUrl } : {}) } };
}

export function createCrossPoster(deps: CrossPosterDeps): CrossPoster {
  const { store, adapters, logger, pending } = deps;

  async function targetsOf(input: CopyPost): Promise<ChannelRef[]> {
    return (await store.links.channelsFor(input.conversationId)).filter((channel) => !sameChannel(channel, input.source));
  }

  async function threadIn(target: ChannelRef, rootFluxraMessageId: string | undefined): Promise<string | undefined> {
    if (rootFluxraMessageId === undefined) return undefined;
    const rootCopy = (await store.messageMap.copiesOf(rootFluxraMessageId)).find((copy) => sameChannel(copy, target));
    // A root that was itself inside a thread names that thread; otherwise it starts one.
    return rootCopy === undefined ? undefined : (rootCopy.threadRootId ?? rootCopy.messageId);
  }

  async function post(input: CopyPost, isStopping: () => boolean): Promise<void> {
    const targets = await targetsOf(input);
    const copies: MessageRef[] = [];
    let failure: unknown;
    for (const target of targets) {
      if (isStopping()) throw new Error('mirror stopping');
      const adapter = adapters.get(target.platform);
      if (adapter === undefined) {
        logger.warn({ platform: target.platform, channelId: target.channelId }, 'a linked channel is on a platform that is not connected; not cross-posting there');
        continue;
      }
      try {
        // An inline reply goes into the thread of its message where the platform threads
        // it and that message has a copy; anywhere else it carries a quoted line (threading.ts).
        const threaded = input.quote === undefined || threadsInlineReplies(target.platform);
        const threadRootId = threaded ? await threadIn(target, input.rootFluxraMessageId) : undefined;
        const rootMissing = threaded && input.rootFluxraMessageId !== undefined && threadRootId === undefined;
        // The root's copy into this channel is still queued (another channel's cross-posts, or
        // the agents' posts): wait for it rather than post the reply top-level.
        if (rootMissing && input.rootFluxraMessageId !== undefined && (await pending.isPending(input.rootFluxraMessageId, target))) {
          throw new RootCopyPendingError(input.rootFluxraMessageId, target);
        }
        // A root that will never have a copy here (refused for good, dead-lettered, from before
        // the link): the reply goes top-level, with a quoted line saying what it answers.
        const quote = threadRootId === undefined ? (input.quote ?? (rootMissing ? ROOT_MISSING_QUOTE : undefined)) : undefined;
        const refs = await postCopyOrSkip({
          store,
          adapter,
          channel: target,
          message: outbound(input.author, input.source, withQuote(quote, input.text), input.agent),
          ...(threadRootId !== undefined ? { threadRootId } : {}),
          key: postKey(input.fluxraMessageId, target),
          logger,
          about: { fluxraMessageId: input.fluxraMessageId, source: messageKey(input.source) },
        });
        copies.push(...(refs ?? []));
        await pending.settle(input.fluxraMessageId, [target]);
      } catch (error) {
        // The other channels first: one platform's outage should not delay the other's copy.
        // A retry of the item finds the copies made here through `postOnce`.
        failure ??= error;
      }
    }
    // After the source (recorded by the first stage): edits and deletes act only from the origin.
    if (copies.length > 0) await store.messageMap.record(input.fluxraMessageId, copies);
    if (failure !== undefined) throw failure;
  }

  /** Runs an edit or delete of one copy; a refusal for good (channel gone, no access) is logged and skipped. */
  async function onCopy(copy: MessageRef, action: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (!isPermanentForCopy(error)) throw error;
      logger.error({ copy: messageKey(copy), err: describeError(error) }, `platform refused to ${action} a cross-posted copy; skipped`);
    }
  }

  /** The message mirrored from `source` and its copies in the other channels. */
  async function groupFrom(source: MessageRef): Promise<{ fluxraMessageId: string; copies: MessageRef[] } | undefined> {
    const group = await store.messageMap.groupOf(source);
    return group && { fluxraMessageId: group.fluxraMessageId, copies: group.copies.filter((copy) => !sameChannel(copy, source)) };
  }

  async function edit(author: Author, source: MessageRef, text: string, quote: string | undefined): Promise<void> {
    const group = await groupFrom(source);
    if (group === undefined) return;
    const { fluxraMessageId } = group;
    for (const parts of partsByChannel(group.copies)) {
      const copy = parts[0];
      const adapter = copy && adapters.get(copy.platform);
      if (!copy || adapter === undefined) continue;
      // A copy of an inline reply posted outside a thread carried the quote line: it keeps it.
      const shown = withQuote(copy.threadRootId === undefined ? quote : undefined, text);
      const key = postKey(fluxraMessageId, toChannelRef(copy));
      await onCopy(copy, 'edit', async () => {
        const added = await editSplit({ store, adapter, parts, message: outbound(author, source, shown), key, logger });
        if (added.length > 0) await store.messageMap.record(fluxraMessageId, added);
      });
    }
  }

  async function remove(source: MessageRef, fluxraMessageId: string): Promise<void> {
    for (const copy of (await groupFrom(source))?.copies ?? []) {
      const adapter = adapters.get(copy.platform);
      if (adapter === undefined) continue;
      await onCopy(copy, 'delete', () => adapter.delete(copy));
    }
    await store.messageMap.forget(fluxraMessageId);
  }

  return {
    targetsOf,
    async givenUp(item) {
      if (item.kind === 'post') await pending.settle(item.fluxraMessageId, await targetsOf(item));
    },
    async deliver(item, isStopping) {
      if (item.kind === 'post') await post(item, isStopping);
      else if (item.kind === 'edit') await edit(item.author, item.source, item.text, item.quote);
      else await remove(item.source, item.fluxraMessageId);
    },
  };
}

/**
 * The copy stage's outbox handler: Fluxra already has the message, so there is no link state
 * to honour (an unlinked or paused link still gets the copies of what it sent); a failure is
 * retried with backoff and holds back only the later copies from the same channel.
 */
export function copyStageHandler(
  crossPoster: Pick<CrossPoster, 'deliver' | 'givenUp'>,
  deps: { config: RetryTimingConfig; logger: Logger; now: () => number },
): (entry: OutboxEntry<CopyItem>, signal: AbortSignal) => Promise<DeliveryOutcome> {
  const { config, logger, now } = deps;
  return async (entry, signal) => {
    try {
      await crossPoster.deliver(entry.item, () => signal.aborted);
      return { kind: 'done' };
    } catch (error) {
      // Its thread root's copy is still queued elsewhere: not a failure, look again soon.
      if (error instanceof RootCopyPendingError) return { kind: 'wait', retryAt: now() + rootWaitMs(config) };
      const description = describeError(error);
      const decision = decideRetryOrDead(error, entry.attempts, now(), config);
      if (decision.kind === 'dead') {
        // Replies waiting for these copies go top-level, quoted, from now on.
        await crossPoster.givenUp(entry.item);
        return deadLetterOutcome(logger, entry.partition, { copy: entry.item.kind }, decision.reason, description);
      }
      return retryOutcome(logger, entry.partition, { copy: entry.item.kind }, decision, description);
    }
  };
}
