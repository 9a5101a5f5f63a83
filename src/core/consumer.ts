/**
 * What the composition root needs from an engine that consumes platform events (the
 * mirror, agent sessions). The contract that keeps "nothing is lost": `accept` resolves
 * only once what it took is persisted (typically in the store's outbox), because the
 * platform is acknowledged right after; if it rejects, the event is not acknowledged and
 * the platform delivers it again. Duplicates are expected (Slack retries, gateway
 * replays) and are the engine's to drop, by the event's or the message's id.
 */
import type { ChannelRef, ChatAdapter, InboundDelete, InboundEdit, InboundMessage, PlatformName } from './chat.js';

export type PlatformEvent = InboundMessage | InboundEdit | InboundDelete;

/** A channel an engine serves, and since when (epoch ms): catch-up reads no further back. */
export interface ServedChannel {
  channel: ChannelRef;
  since: number;
}

export interface InboundConsumer {
  readonly name: string;
  accept(event: PlatformEvent, source: ChatAdapter): Promise<void>;
  /**
   * The channels whose every message this engine wants (e.g. channels bound to an agent).
   * After downtime the bridge reads their history and feeds what was missed to `accept`
   * (see src/catch-up/). Channels linked to Fluxra are known from the store's links.
   */
  servedChannels?(): Promise<ServedChannel[]>;
  /** Starts background work (outbox workers, pollers); called after the platforms connect. */
  start(): Promise<void>;
  /** Stops taking work and finishes or abandons in-flight work within its own bound. */
  stop(): Promise<void>;
}

/** The connected platforms by name, for engines that post to a platform other than the source. */
export type AdapterDirectory = ReadonlyMap<PlatformName, ChatAdapter>;
