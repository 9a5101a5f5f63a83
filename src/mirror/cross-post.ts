/**
 * Platform ⇄ platform: a person's message in one linked channel is posted, under their
 * name, into every other channel linked to the same conversation (Slack → Discord and
 * back), in the mapped thread when it was a thread reply. Fluxra will not show it to us
 * again (the poller skips the bridge's own messages), so this is the only way it crosses.
 *
 * Posts go through `postOnce` keyed by the Fluxra message and the target channel, so a
 * crash between the post and its recording never posts twice. Edits and deletes follow the
 * recorded copies; both are harmless to repeat.
 */
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AdapterDirectory } from '../app/consumer.js';
import type { Author, ChannelRef, MessageRef, OutboundMessage } from '../platforms/types.js';
import type { Store } from '../store/index.js';
import { channelKey } from '../store/keys.js';
import { crossPostName } from './attribution.js';
import { postKey, postOnce } from './post-once.js';

export interface CrossPostInput {
  source: MessageRef;
  author: Author;
  /** Neutral markdown with attachment links, not attributed (the post's name attributes it). */
  text: string;
  conversationId: string;
  /** The first Fluxra message of the source: names the posts. */
  fluxraMessageId: string;
  /** The Fluxra message of the thread root, when the source was a thread reply. */
  rootFluxraMessageId?: string;
}

export interface CrossPoster {
  /** Posts into every other linked channel; resolves with every copy made (or found). */
  post(input: CrossPostInput, isStopping: () => boolean): Promise<MessageRef[]>;
  /** Edits the first copy in each other channel to the new text. */
  edit(copies: readonly MessageRef[], author: Author | undefined, source: MessageRef, text: string): Promise<void>;
  /** Deletes every copy. */
  delete(copies: readonly MessageRef[]): Promise<void>;
}

export interface CrossPosterDeps {
  store: Store;
  adapters: AdapterDirectory;
  logger: Logger;
}

const sameChannel = (a: ChannelRef, b: ChannelRef): boolean => channelKey(a) === channelKey(b);

function outbound(author: Author | undefined, source: MessageRef, text: string): OutboundMessage {
  if (author === undefined) return { text };
  return { text, as: { name: crossPostName(author.displayName, source.platform), ...(author.avatarUrl ? { iconUrl: author.avatarUrl } : {}) } };
}

export function createCrossPoster(deps: CrossPosterDeps): CrossPoster {
  const { store, adapters, logger } = deps;

  async function threadIn(target: ChannelRef, rootFluxraMessageId: string | undefined): Promise<string | undefined> {
    if (rootFluxraMessageId === undefined) return undefined;
    const rootCopy = (await store.messageMap.copiesOf(rootFluxraMessageId)).find((copy) => sameChannel(copy, target));
    // A root that was itself inside a thread names that thread; otherwise it starts one.
    return rootCopy === undefined ? undefined : (rootCopy.threadRootId ?? rootCopy.messageId);
  }

  return {
    async post(input, isStopping) {
      const targets = (await store.links.channelsFor(input.conversationId)).filter((channel) => !sameChannel(channel, input.source));
      const copies: MessageRef[] = [];
      for (const target of targets) {
        if (isStopping()) throw new Error('mirror stopping');
        const adapter = adapters.get(target.platform);
        if (adapter === undefined) {
          logger.warn({ platform: target.platform, channelId: target.channelId }, 'a linked channel is on a platform that is not connected; not cross-posting there');
          continue;
        }
        const threadRootId = await threadIn(target, input.rootFluxraMessageId);
        const refs = await postOnce({
          store,
          adapter,
          channel: target,
          message: outbound(input.author, input.source, input.text),
          ...(threadRootId !== undefined ? { options: { threadRootId } } : {}),
          key: postKey(input.fluxraMessageId, target),
        });
        copies.push(...refs);
      }
      return copies;
    },

    async edit(copies, author, source, text) {
      const firsts = new Map<string, MessageRef>();
      for (const copy of copies) if (!sameChannel(copy, source) && !firsts.has(channelKey(copy))) firsts.set(channelKey(copy), copy);
      for (const copy of firsts.values()) {
        const adapter = adapters.get(copy.platform);
        if (adapter === undefined) continue;
        await adapter.edit(copy, outbound(author, source, text));
      }
    },

    async delete(copies) {
      for (const copy of copies) {
        const adapter = adapters.get(copy.platform);
        if (adapter === undefined) continue;
        try {
          await adapter.delete(copy);
        } catch (error) {
          logger.warn({ platform: copy.platform, channelId: copy.channelId, err: describeError(error) }, 'could not delete a cross-posted copy');
          throw error;
        }
      }
    },
  };
}
