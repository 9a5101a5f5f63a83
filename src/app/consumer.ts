/**
 * What the composition root needs from an engine that consumes platform events (the
 * mirror, agent sessions). The contract that keeps "nothing is lost": `accept` resolves
 * only once what it took is persisted (typically in the store's outbox), because the
 * platform is acknowledged right after; if it rejects, the event is not acknowledged and
 * the platform delivers it again. Duplicates are expected (Slack retries, gateway
 * replays) and are the engine's to drop, by the event's or the message's id.
 */
import type { ChatAdapter, InboundDelete, InboundEdit, InboundMessage, PlatformName } from '../platforms/types.js';

export type PlatformEvent = InboundMessage | InboundEdit | InboundDelete;

export interface InboundConsumer {
  readonly name: string;
  accept(event: PlatformEvent, source: ChatAdapter): Promise<void>;
  /** Starts background work (outbox workers, pollers); called after the platforms connect. */
  start(): Promise<void>;
  /** Stops taking work and finishes or abandons in-flight work within its own bound. */
  stop(): Promise<void>;
}

/** The connected platforms by name, for engines that post to a platform other than the source. */
export type AdapterDirectory = ReadonlyMap<PlatformName, ChatAdapter>;
