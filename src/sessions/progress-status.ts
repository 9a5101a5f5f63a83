/**
 * A live turn's native status (`ProgressSurface.setThreadStatus`): Slack's thread status with
 * the current step, Discord's typing indicator. Set when a poll brings a new step (within the
 * platform's pace), sent again before the platform drops it, cleared at the end.
 */
import type { ChatAdapter, ProgressSurface, ThreadRef } from '../core/chat.js';
import type { EngineContext } from './context.js';
import type { ProgressCalls } from './progress-calls.js';
import { type LiveTurn, statusChange, statusExpired, statusRefresh, statusRefreshDue } from './progress-display-rules.js';

export interface NativeStatus {
  /** After a poll: the turn's newest status, set or remembered for the next refresh. */
  show(entry: LiveTurn, status: string, at: number): Promise<void>;
  /** From the refresh round: sends the status again when the platform would drop it. */
  refresh(entry: LiveTurn, at: number): Promise<void>;
  clear(surface: ProgressSurface, platform: ChatAdapter['platform'], thread: ThreadRef): Promise<void>;
}

export function createNativeStatus(ctx: Pick<EngineContext, 'settings'>, calls: ProgressCalls): NativeStatus {
  const sessions = ctx.settings.sessions;

  async function set(entry: LiveTurn, status: string, at: number): Promise<void> {
    const surface = calls.surfaceOf(entry.platform);
    if (!surface) return;
    if (statusExpired(entry, at, sessions)) return;
    entry.status = status;
    entry.statusSetAt = at;
    await calls.attempt(entry.platform, 'setThreadStatus', () => surface.setThreadStatus(entry.thread, status));
  }

  return {
    async show(entry, status, at) {
      const change = statusChange(entry, status, at, sessions.progressMinEditMs);
      if (change === 'set') await set(entry, status, at);
      else if (change === 'remember') entry.status = status;
    },

    async refresh(entry, at) {
      if (statusRefreshDue(entry, at, statusRefresh(entry.platform, sessions).everyMs)) await set(entry, entry.status, at);
    },

    async clear(surface, platform, thread) {
      await calls.attempt(platform, 'setThreadStatus', () => surface.setThreadStatus(thread, ''));
    },
  };
}
