/**
 * Where a Discord channel id sits in the neutral model: a text channel is itself; a thread
 * is `{ channelId: parent, threadId: thread }` (the neutral thread root id is the thread id,
 * which equals the starter message id for threads started from a message).
 *
 * discord.js only knows channels it received (GUILD_CREATE, THREAD_CREATE), and drops
 * messages from others. We read its cache first and ask REST for the rest, so that a
 * message in an old or unannounced thread is placed correctly instead of being lost.
 */
import { type APIChannel, type Client, type REST, Routes } from 'discord.js';
import type { Logger } from '../../core/logger.js';
import { DiscordErrorCode, discordErrorCode, toDiscordError } from './errors.js';

export interface ChannelLocation {
  /** The text channel (a thread's parent). */
  channelId: string;
  /** Set when the channel id named a thread. */
  threadId?: string;
}

export interface ChannelLocations {
  /** The location of any guild channel id (REST lookup when discord.js has not cached it). */
  locate(channelId: string): Promise<ChannelLocation>;
  /**
   * The thread for `rootId` under `channelId`: the existing one, or a new thread started
   * from the root message. Returns the thread channel id.
   */
  ensureThread(channelId: string, rootId: string, name: string): Promise<string>;
}

const THREAD_TYPES = new Set([10, 11, 12]);

export function createChannelLocations(deps: { client: Client; rest: REST; logger: Logger }): ChannelLocations {
  const known = new Map<string, ChannelLocation>();
  const remember = (id: string, location: ChannelLocation): ChannelLocation => {
    known.set(id, location);
    return location;
  };

  const fromCache = (id: string): ChannelLocation | undefined => {
    const channel = deps.client.channels.cache.get(id);
    if (!channel || channel.partial) return undefined;
    if (channel.isThread()) return channel.parentId ? { channelId: channel.parentId, threadId: channel.id } : undefined;
    return { channelId: channel.id };
  };

  const locate = async (channelId: string): Promise<ChannelLocation> => {
    const cached = known.get(channelId) ?? fromCache(channelId);
    if (cached) return remember(channelId, cached);
    try {
      const channel = (await deps.rest.get(Routes.channel(channelId))) as APIChannel;
      const parentId = 'parent_id' in channel ? channel.parent_id : undefined;
      if (THREAD_TYPES.has(channel.type) && parentId) return remember(channelId, { channelId: parentId, threadId: channelId });
      return remember(channelId, { channelId });
    } catch (error) {
      // Better to deliver the message against the id we have than to drop it.
      deps.logger.warn({ channelId, err: toDiscordError(error, 'look up a channel') }, 'discord channel lookup failed; treating it as a text channel');
      return { channelId };
    }
  };

  return {
    locate,

    async ensureThread(channelId, rootId, name) {
      const location = known.get(rootId) ?? fromCache(rootId);
      if (location?.threadId === rootId) return rootId;
      try {
        await deps.rest.post(Routes.threads(channelId, rootId), { body: { name: name.slice(0, 100) || 'Thread', auto_archive_duration: 1440 } });
        deps.logger.debug({ channelId, threadId: rootId }, 'discord thread created');
      } catch (error) {
        const code = discordErrorCode(error);
        // Someone (or another replica) started it meanwhile: that thread is the one we want.
        if (code === DiscordErrorCode.ThreadAlreadyCreated) {
          deps.logger.debug({ channelId, threadId: rootId }, 'discord thread already existed');
        } else if (code === DiscordErrorCode.UnknownMessage && (await locate(rootId)).threadId === rootId) {
          // A thread not started from a message is named by its own id.
          return rootId;
        } else {
          throw toDiscordError(error, 'start a thread');
        }
      }
      remember(rootId, { channelId, threadId: rootId });
      return rootId;
    },
  };
}
