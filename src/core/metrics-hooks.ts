/**
 * The narrow interfaces through which engines, adapters and clients report what happened.
 * They know nothing of Prometheus: `createBridgeMetrics` implements them, and code built
 * without metrics (the CLI, unit tests) simply passes none.
 */

/** `to_fluxra`: a platform message sent to Fluxra; `from_fluxra`: a Fluxra message posted to a platform. */
export type MirrorDirection = 'to_fluxra' | 'from_fluxra';

/** What the channel mirror reports. */
export interface MirrorMetrics {
  /** One message mirrored; `platform` is the source (to_fluxra) or the destination (from_fluxra). */
  mirrored(direction: MirrorDirection, platform: string): void;
  /** A poll of the conversation succeeded: its poll lag starts again from zero. */
  polled(conversationId: string): void;
  /** A poll of the conversation failed: its lag keeps growing (and starts if it never succeeded). */
  pollFailed(conversationId: string): void;
  /** The conversation is no longer followed: its lag series goes away. */
  forget(conversationId: string): void;
  /** A queued item failed for good and became a dead letter; `stage` is `send` (to Fluxra) or `copy` (into the other channels). */
  deadLettered(stage: 'send' | 'copy'): void;
}

/** What anything that talks to Slack, Discord, Fluxra or Blocks reports about failed calls. */
export interface UpstreamMetrics {
  /** A failed call: `code` is the HTTP status ("503"), the platform's error ("channel_not_found") or a network code. */
  error(service: string, code: string): void;
  /** A 429 answer (or the platform library's report of one). */
  rateLimited(service: string): void;
}
