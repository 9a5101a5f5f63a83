/**
 * Discord's native agent display (issue 18): the typing indicator in the turn's thread
 * (`POST /channels/{thread}/typing`). It lasts about 10 s or until we post there, and cannot
 * be cleared, so an empty status does nothing; the session engine sends it again while the
 * turn runs (capped). Discord has no answer stream: the steps go into the status message.
 */
import { type REST, Routes } from 'discord.js';
import type { ProgressSurface, ThreadRef } from '../../core/chat.js';
import { toDiscordError } from './errors.js';

export function createDiscordProgress(rest: REST): ProgressSurface {
  return {
    async setThreadStatus(thread: ThreadRef, status: string) {
      if (status === '') return;
      try {
        await rest.post(Routes.channelTyping(thread.threadRootId));
      } catch (error) {
        const mapped = toDiscordError(error, 'show typing in a thread');
        // A thread that is gone needs no indicator; only a refusal of the method (403) turns typing off.
        if ((mapped as { status?: unknown }).status === 404) return;
        throw mapped;
      }
    },
  };
}
