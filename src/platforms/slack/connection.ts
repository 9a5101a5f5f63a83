/**
 * The Slack adapter's view of its link: whether the receiver runs (HTTP server listening, or
 * Socket Mode wanted), whether the socket is up, and whether Slack ended the Socket Mode link
 * for good (readiness reports that). Bolt's callbacks feed it; the adapter's
 * `connectionState`, `connectionProblem` and `onConnectionChange` read it.
 */
import type { ConnectionChange, ConnectionState } from '../../core/chat.js';
import type { Logger } from '../../core/logger.js';

/** HTTP mode has no socket: a running receiver is connected. Socket Mode is connected while its socket is up. */
export function slackConnectionState(mode: 'socket' | 'http', receiving: boolean, socketUp: boolean): ConnectionState {
  if (!receiving) return 'idle';
  return mode === 'http' || socketUp ? 'connected' : 'disconnected';
}

/** What readiness says when Slack closed the Socket Mode link for good. */
export function linkStoppedProblem(reason: string): string {
  return `Slack closed the Socket Mode link (${reason}) and the bridge does not reconnect: turn Socket Mode back on in the Slack app's settings, then restart the bridge`;
}

export function createSlackConnection(mode: 'socket' | 'http', logger: Logger) {
  let receiving = false;
  let connected = false;
  let linkStopped: string | undefined;
  const listeners: Array<(change: ConnectionChange) => void> = [];
  return {
    get receiving(): boolean {
      return receiving;
    },
    started(): void {
      receiving = true;
    },
    stopped(): void {
      receiving = false;
      connected = false;
    },
    onSocketState(up: boolean): void {
      connected = up;
    },
    onLinkStopped(reason: string): void {
      linkStopped = linkStoppedProblem(reason);
      logger.error({ reason }, linkStopped);
    },
    emit(change: ConnectionChange): void {
      for (const listener of listeners) listener(change);
    },
    subscribe(listener: (change: ConnectionChange) => void): void {
      listeners.push(listener);
    },
    state: (): ConnectionState => slackConnectionState(mode, receiving, connected),
    problem: (): string | undefined => linkStopped,
  };
}
