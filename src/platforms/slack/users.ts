/**
 * A small cache in front of `users.info`: display names for inbound messages and the
 * admin/owner flags for privileged commands. Names are kept an hour; privileges only a
 * minute, so that a demoted admin loses rights quickly. Expiry is checked on read, so
 * nothing here holds a timer.
 */

import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

export interface SlackUserInfo {
  id: string;
  displayName: string;
  isPrivileged: boolean;
  isBot: boolean;
  avatarUrl?: string;
  /** The user's own workspace (`team_id`): another one for a Slack Connect guest. */
  teamId?: string;
}

export interface SlackUserDirectoryConfig {
  /** Calls `users.info`; returns the `user` object of the answer. */
  fetchUser: (userId: string) => Promise<Record<string, unknown> | undefined>;
  logger: Logger;
  displayNameTtlMs: number;
  privilegeTtlMs: number;
  maxEntries: number;
  now?: () => number;
}

export interface SlackUserDirectory {
  /** Never throws: falls back to the id as the name and to "not privileged". */
  get(userId: string, options?: { fresh?: 'privilege' }): Promise<SlackUserInfo>;
}

interface Entry {
  info: SlackUserInfo;
  fetchedAt: number;
  /** False when the lookup failed: retried on the next read. */
  complete: boolean;
}

export function createSlackUserDirectory(config: SlackUserDirectoryConfig): SlackUserDirectory {
  const now = config.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<Entry>>();

  function remember(userId: string, entry: Entry): void {
    entries.delete(userId);
    entries.set(userId, entry);
    // Map order is insertion order: the first key is the least recently fetched.
    while (entries.size > config.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  }

  async function fetchEntry(userId: string): Promise<Entry> {
    try {
      const user = await config.fetchUser(userId);
      if (!user) throw new Error('users.info returned no user');
      const profile = (user.profile ?? {}) as Record<string, unknown>;
      const name = [profile.display_name, profile.real_name, user.real_name, user.name].find((value): value is string => typeof value === 'string' && value.trim() !== '');
      const avatar = typeof profile.image_72 === 'string' ? profile.image_72 : undefined;
      const entry: Entry = {
        info: {
          id: userId,
          displayName: name ?? userId,
          isPrivileged: user.is_admin === true || user.is_owner === true || user.is_primary_owner === true,
          isBot: user.is_bot === true,
          ...(avatar ? { avatarUrl: avatar } : {}),
          ...(typeof user.team_id === 'string' ? { teamId: user.team_id } : {}),
        },
        fetchedAt: now(),
        complete: true,
      };
      remember(userId, entry);
      return entry;
    } catch (error) {
      config.logger.warn({ userId, err: describeError(error) }, 'slack users.info failed; using the user id as the name');
      return { info: { id: userId, displayName: userId, isPrivileged: false, isBot: false }, fetchedAt: now(), complete: false };
    }
  }

  return {
    async get(userId, options = {}) {
      const cached = entries.get(userId);
      const ttl = options.fresh === 'privilege' ? config.privilegeTtlMs : config.displayNameTtlMs;
      if (cached && cached.complete && now() - cached.fetchedAt < ttl) return cached.info;
      let pending = inflight.get(userId);
      if (!pending) {
        pending = fetchEntry(userId).finally(() => inflight.delete(userId));
        inflight.set(userId, pending);
      }
      return (await pending).info;
    },
  };
}
