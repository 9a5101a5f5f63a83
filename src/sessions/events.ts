/**
 * What the session engine announces: a turn ended, a request failed before any turn. The
 * parts that care (channels bound to an agent, the metrics) subscribe when they are built,
 * so the turn code names no listener. Listeners are awaited in order: the bound channel's
 * ✅ and its next batch follow the answer, and a crash before they ran is redone on restart.
 */
import type { AgentSessionRecord, SessionRequest, TurnRecord } from './types.js';

export interface TurnEnded {
  /** The ended turn: `done`, `failed`, `timed-out` or `superseded`. */
  turn: TurnRecord;
  session: AgentSessionRecord;
  /** What people were shown when it ended without an answer. */
  reason?: string;
}

export interface RequestFailed {
  request: SessionRequest;
  /** What people are shown. */
  reason: string;
  /** False when the session itself is gone or unusable. */
  sessionUsable: boolean;
}

export interface SessionEvents {
  onTurnEnded(listener: (event: TurnEnded) => Promise<void> | void): void;
  onRequestFailed(listener: (event: RequestFailed) => Promise<void> | void): void;
  turnEnded(event: TurnEnded): Promise<void>;
  requestFailed(event: RequestFailed): Promise<void>;
}

export function createSessionEvents(): SessionEvents {
  const turnEndedListeners: Array<(event: TurnEnded) => Promise<void> | void> = [];
  const requestFailedListeners: Array<(event: RequestFailed) => Promise<void> | void> = [];
  return {
    onTurnEnded: (listener) => void turnEndedListeners.push(listener),
    onRequestFailed: (listener) => void requestFailedListeners.push(listener),
    async turnEnded(event) {
      for (const listener of turnEndedListeners) await listener(event);
    },
    async requestFailed(event) {
      for (const listener of requestFailedListeners) await listener(event);
    },
  };
}
