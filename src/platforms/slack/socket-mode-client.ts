/**
 * `@slack/socket-mode`'s client with a guard in front of its frame handler. The library
 * reads `event.payload.event.type` of every `events_api` envelope inside an async handler:
 * one envelope without `payload` or `payload.event` rejects there, unhandled, and ends the
 * process; it was never acked, so Slack would redeliver it into the restarted bridge. Here
 * such an envelope is renamed to the type `malformed_envelope` before the library sees it,
 * so it reaches the receiver (which acks it and logs once) instead of code that throws.
 *
 * A `disconnect` with reason `link_disabled` means the app's Socket Mode was switched off:
 * reconnecting cannot help, so the client stops and reports the reason instead of
 * reconnecting every few seconds forever.
 */
import { SocketModeClient } from '@slack/socket-mode';

/** The envelope type a frame is renamed to when its payload cannot be dispatched. */
export const MALFORMED_ENVELOPE = 'malformed_envelope';

/** Disconnect reasons after which reconnecting is pointless (Slack's documented `link_disabled`). */
const FINAL_DISCONNECT_REASONS = new Set(['link_disabled']);

export type FrameVerdict = { kind: 'pass' } | { kind: 'malformed'; problem: string } | { kind: 'final-disconnect'; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What to do with one parsed Socket Mode frame. Frames without an envelope (hello,
 * disconnect, anything unknown) pass; envelopes must carry an object payload, and
 * `events_api` payloads an `event` with a string `type`.
 */
export function judgeSocketModeFrame(frame: unknown): FrameVerdict {
  if (!isObject(frame)) return { kind: 'pass' };
  if (frame['type'] === 'disconnect') {
    const reason = typeof frame['reason'] === 'string' ? frame['reason'] : '';
    return FINAL_DISCONNECT_REASONS.has(reason) ? { kind: 'final-disconnect', reason } : { kind: 'pass' };
  }
  if (typeof frame['envelope_id'] !== 'string') return { kind: 'pass' };
  const payload = frame['payload'];
  if (!isObject(payload)) return { kind: 'malformed', problem: 'the envelope has no payload object' };
  if (frame['type'] !== 'events_api') return { kind: 'pass' };
  const event = payload['event'];
  if (!isObject(event)) return { kind: 'malformed', problem: 'the events_api payload has no event object' };
  if (typeof event['type'] !== 'string') return { kind: 'malformed', problem: 'the event has no type' };
  return { kind: 'pass' };
}

export class GuardedSocketModeClient extends SocketModeClient {
  /** Set once Slack said reconnecting cannot help; the client has stopped. */
  finalDisconnectReason: string | undefined;

  protected override async onWebSocketMessage(data: string | ArrayBuffer, isBinary: boolean): Promise<void> {
    if (isBinary) return super.onWebSocketMessage(data, isBinary);
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return super.onWebSocketMessage(data, isBinary);
    }
    const verdict = judgeSocketModeFrame(frame);
    if (verdict.kind === 'final-disconnect') {
      if (this.finalDisconnectReason !== undefined) return;
      this.finalDisconnectReason = verdict.reason;
      this.emit('final_disconnect', verdict.reason);
      // `disconnect()` marks the client as shutting down, so its close handler does not reconnect.
      await this.disconnect();
      return;
    }
    if (verdict.kind === 'malformed') {
      const envelope = frame as Record<string, unknown>;
      const renamed = { envelope_id: envelope['envelope_id'], type: MALFORMED_ENVELOPE, payload: { problem: verdict.problem, original_type: String(envelope['type']) } };
      return super.onWebSocketMessage(JSON.stringify(renamed), false);
    }
    return super.onWebSocketMessage(data, isBinary);
  }
}
