/**
 * Where every platform event goes: commands to the router (or a "shutting down" answer once
 * the bridge drains), everything else through the catch-up to the consuming engines.
 */
import type { CatchUp } from '../catch-up/index.js';
import type { CommandRouter } from '../commands/router.js';
import type { ButtonPress, ChatAdapter, FormSubmission, InboundEvent } from '../core/chat.js';
import type { InboundConsumer } from '../core/consumer.js';
import { describeError } from '../core/errors.js';
import { type Logger, newRequestId } from '../core/logger.js';
import type { PlaceGate } from '../core/tenancy.js';
import type { BridgeMetrics } from '../metrics/registry.js';

export interface InboundDispatch {
  /** What each adapter's `onEvent` calls; the platform acks once it resolves. */
  dispatch(event: InboundEvent, adapter: ChatAdapter): Promise<void>;
  /** Called by `drain`: commands that still arrive are answered instead of run. */
  refuseCommands(): void;
}

export interface InboundDispatchParts {
  router: Pick<CommandRouter, 'handle'>;
  catchUp: Pick<CatchUp, 'accept'>;
  consumers: readonly InboundConsumer[];
  metrics: BridgeMetrics;
  logger: Logger;
  /** The allow-lists: events and commands from other workspaces and guilds are dropped here. */
  gate?: PlaceGate;
  /** Where status-message buttons and their forms go (the session engine); without it they are answered as unavailable. */
  buttons?: { handleButton(event: ButtonPress | FormSubmission, adapter: ChatAdapter): Promise<void> };
}

export function createInboundDispatch(parts: InboundDispatchParts): InboundDispatch {
  const { router, catchUp, consumers, metrics, logger } = parts;
  /** Set by `drain`: commands that still arrive are answered instead of run. */
  let draining = false;
  async function dispatchEvent(event: InboundEvent, adapter: ChatAdapter): Promise<void> {
    // Before anything else: nothing of an unlisted place is stored or sent upstream.
    if (parts.gate !== undefined && !parts.gate.admits({ platform: event.platform, placeId: event.placeId })) return;
    metrics.inbound(event.platform, event.kind);
    // One id per inbound event or command, carried by the lines written about it here.
    const log = logger.child({ reqId: newRequestId(), platform: event.platform, eventId: event.eventId });
    if (event.kind === 'command') {
      if (draining) {
        log.info({ command: event.command }, 'command refused: shutting down');
        await adapter.reply(event, { text: 'The bridge is shutting down; please try again in a moment.' });
        return;
      }
      log.debug({ command: event.command }, 'command received');
      await router.handle(event, adapter);
      return;
    }
    if (event.kind === 'button' || event.kind === 'form') {
      if (draining || !parts.buttons) {
        await adapter.reply(event, { text: draining ? 'The bridge is shutting down; please try again in a moment.' : 'Agent sessions are not enabled on this bridge.' });
        return;
      }
      log.debug({ kind: event.kind }, 'status button received');
      await parts.buttons.handleButton(event, adapter);
      return;
    }
    // Every consumer persists what it takes before this resolves; the platform acks after.
    try {
      await catchUp.accept(event, adapter);
    } catch (error) {
      log.warn({ kind: event.kind, err: describeError(error) }, 'inbound event not accepted; the platform will deliver it again');
      throw error;
    }
    log.debug({ kind: event.kind }, 'inbound event accepted');
    if (consumers.length === 0) logger.debug({ platform: event.platform, kind: event.kind, eventId: event.eventId }, 'event not routed');
  }
  return {
    dispatch: dispatchEvent,
    refuseCommands() {
      draining = true;
    },
  };
}
