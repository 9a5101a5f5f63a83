/**
 * Slack events and commands handed to the bridge's handler. An event runs inside Bolt's
 * listener, so a rejection leaves it unacknowledged and Slack redelivers it; a command is
 * acked at once and runs on, its `respond` kept for the answer (`reply()`).
 */

import type { InboundHandler, InboundMessage } from '../../core/chat.js';
import { BridgeError, describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { type InboundContext, type SlackCommandPayload, toCommandInvocation, toInboundEvent } from './inbound.js';
import { LINK_ACTION_ID, type SlackBlockActions, type SlackViewSubmission, toButtonPress, toFormSubmission } from './interactivity.js';
import type { createInvocationRegistry } from './invocations.js';

export interface SlackListenerDeps {
  /** The context of one event; `retryNum` as Slack sent it. */
  contextOf(retryNum: unknown, teamId?: string, inPane?: boolean): InboundContext;
  /** The bridge's handler, once `onEvent` was called. */
  handler(): InboundHandler | undefined;
  invocations: ReturnType<typeof createInvocationRegistry>;
  logger: Logger;
}

export interface SlackListeners {
  /** `inPane`: written in Slack's AI side pane (see assistant.ts). */
  deliverInbound(raw: unknown, retryNum: unknown, teamId: string | undefined, inPane?: boolean): Promise<void>;
  runCommand(payload: SlackCommandPayload, respond: (message: Record<string, unknown>) => Promise<unknown>, retryNum: unknown): void;
  /** A button click (link buttons only need the ack they got). */
  runButton(body: unknown, respond: (message: Record<string, unknown>) => Promise<unknown>): void;
  runForm(body: unknown): void;
  /** A history entry as a neutral message (catch-up, finding our own posts). */
  toMessage(raw: Record<string, unknown>): Promise<InboundMessage | undefined>;
  /** Commands still answering. */
  inFlight(): Array<Promise<void>>;
}

export function createSlackListeners(deps: SlackListenerDeps): SlackListeners {
  const { logger } = deps;
  const inflight = new Set<Promise<void>>();
  const handlerFor = (what: string): InboundHandler => {
    const handler = deps.handler();
    if (!handler) throw new BridgeError('SLACK_NO_HANDLER', `Slack ${what} arrived before onEvent() was called`);
    return handler;
  };
  const runAcked = (what: string, work: () => Promise<void>): void => {
    const task = work().catch((error: unknown) => {
      logger.error({ what, err: describeError(error) }, 'slack interaction handler failed');
    });
    inflight.add(task);
    void task.finally(() => inflight.delete(task));
  };
  return {
    runButton(body, respond) {
      runAcked('button', async () => {
        const raw = body as SlackBlockActions;
        if (raw.actions?.[0]?.action_id === LINK_ACTION_ID) return;
        const press = await toButtonPress(raw, deps.contextOf(undefined));
        if (!press) return;
        deps.invocations.put(press.eventId, { channelId: press.channel.channelId, userId: press.user.id, respond, ...(raw.trigger_id ? { triggerId: raw.trigger_id } : {}) });
        await handlerFor('button')(press);
      });
    },
    runForm(body) {
      runAcked('form', async () => {
        const form = await toFormSubmission(body as SlackViewSubmission, deps.contextOf(undefined));
        // No response_url for a modal: reply() whispers with chat.postEphemeral.
        if (form) await handlerFor('form')(form);
      });
    },
    async deliverInbound(raw, retryNum, teamId, inPane) {
      const event = await toInboundEvent(raw, deps.contextOf(retryNum, teamId, inPane));
      if (!event) return;
      const handler = handlerFor('event');
      try {
        await handler(event);
      } catch (error) {
        logger.error({ eventId: event.eventId, kind: event.kind, err: describeError(error) }, 'slack inbound handler failed; not acknowledging so that Slack redelivers');
        throw error;
      }
    },
    runCommand(payload, respond, retryNum) {
      const task = (async () => {
        const invocation = await toCommandInvocation(payload, deps.contextOf(retryNum));
        deps.invocations.put(invocation.eventId, { channelId: payload.channel_id, userId: payload.user_id, respond });
        await handlerFor('command')(invocation);
      })().catch((error: unknown) => {
        logger.error({ command: payload.command, err: describeError(error) }, 'slack command handler failed');
      });
      inflight.add(task);
      void task.finally(() => inflight.delete(task));
    },
    async toMessage(raw) {
      const event = await toInboundEvent(raw, deps.contextOf(undefined));
      return event?.kind === 'message' ? event : undefined;
    },
    inFlight: () => [...inflight],
  };
}
