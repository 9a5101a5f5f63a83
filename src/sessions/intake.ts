/**
 * How people's messages and `/agent` become session requests: a reply in a session's thread
 * is a follow-up, a mention of the bot starts a session, `/agent` starts one from a command.
 * Each is admitted under the quotas and persisted before `accept` resolves; answers that need
 * no persistence (usage, unknown agent, over quota) are posted afterwards.
 */

import type { ChatAdapter, CommandInvocation, InboundMessage, PlatformName } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import { messageKey } from '../core/keys.js';
import type { ResolvedAgent } from '../services/blocks/types.js';
import { isChannelSessionId } from './bound-channels/bindings.js';
import { type EngineContext, postInThread } from './context.js';
import { type AgentNames, parseAgentRequest, stripSelfMentions } from './parse.js';
import type { QuotaTicket } from './quota.js';
import { decideCopyFollowUp, strangerFollowUpText } from './thread-copies.js';
import { findContinuedSession, sessionPlace } from './thread-lookup.js';
import { threadTitle } from './thread-title.js';
import type { AgentSessionRecord, FollowUpRequest, SessionRequest, StartRequest } from './types.js';
import { agentUsage, unknownAgentText } from './usage.js';

/** What `/agent` is told: the request is queued, or refused (over quota) with what to say. */
export type CommandStartOutcome = { started: true } | { started: false; answer: string };

/** What `/agent` hands the engine once it has parsed the command. */
export interface CommandStart {
  invocation: CommandInvocation;
  agent: ResolvedAgent;
  agentLabel: string;
  prompt: string;
}

type Admission = { ok: true; ticket?: QuotaTicket } | { ok: false; text: string };

const withTicket = (admitted: { ticket?: QuotaTicket }): { quota?: QuotaTicket } => (admitted.ticket ? { quota: admitted.ticket } : {});

/** The follow-up request of a reply in a session's thread. */
export function followUpRequest(event: InboundMessage, session: AgentSessionRecord, text: string, now: number, admitted: { ticket?: QuotaTicket }): FollowUpRequest {
  return {
    kind: 'follow-up',
    sessionRecordId: session.id,
    message: event.ref,
    author: { id: event.author.id, displayName: event.author.displayName },
    text,
    requestedAt: now,
    ...withTicket(admitted),
  };
}

/** The start request of a mention: the session lives in the mention's thread. */
export function mentionStartRequest(
  event: InboundMessage,
  threadRootId: string,
  agent: { resolved: ResolvedAgent; label: string; prompt: string },
  now: number,
  admitted: { ticket?: QuotaTicket },
): StartRequest {
  return {
    kind: 'start',
    sessionRecordId: `m:${messageKey(event.ref)}`,
    origin: 'mention',
    channel: { platform: event.platform, channelId: event.ref.channelId },
    threadRoot: { platform: event.platform, channelId: event.ref.channelId, messageId: threadRootId },
    askingMessage: event.ref,
    askedBy: { id: event.author.id, displayName: event.author.displayName },
    agent: agent.resolved,
    agentLabel: agent.label,
    prompt: agent.prompt,
    requestedAt: now,
    ...(event.privateChannel === true ? { isPrivate: true } : {}),
    ...(event.placeId !== undefined ? { placeId: event.placeId } : {}),
    ...withTicket(admitted),
  };
}

/** The start request of `/agent`: in the command's thread when it was run in one. */
export function commandStartRequest(start: CommandStart, now: number, admitted: { ticket?: QuotaTicket }): StartRequest {
  const { invocation } = start;
  const inThread = invocation.threadRootId;
  return {
    kind: 'start',
    sessionRecordId: `c:${invocation.platform}:${invocation.eventId}`,
    origin: 'command',
    channel: { platform: invocation.platform, channelId: invocation.channel.channelId },
    ...(inThread ? { threadRoot: { platform: invocation.platform, channelId: invocation.channel.channelId, messageId: inThread } } : {}),
    askedBy: { id: invocation.user.id, displayName: invocation.user.displayName },
    agent: start.agent,
    agentLabel: start.agentLabel,
    prompt: start.prompt,
    requestedAt: now,
    ...(invocation.privateChannel === true ? { isPrivate: true } : {}),
    ...(invocation.placeId !== undefined ? { placeId: invocation.placeId } : {}),
    ...withTicket(admitted),
  };
}

export interface SessionIntakeDeps {
  ctx: EngineContext;
  agentNames: AgentNames;
  enqueue: (request: SessionRequest) => Promise<void>;
}

export interface SessionIntake {
  acceptMessage(event: InboundMessage, source: ChatAdapter): Promise<void>;
  startFromCommand(start: CommandStart): Promise<CommandStartOutcome>;
  /** Answers still being posted (for `idle` and a bounded `stop`). */
  inFlight(): Array<Promise<unknown>>;
}

export function createSessionIntake(deps: SessionIntakeDeps): SessionIntake {
  const { ctx, agentNames, enqueue } = deps;
  const sideTasks = new Set<Promise<unknown>>();

  /** Admission under the quotas; always admitted (without a ticket) when quotas are off. */
  async function admit(platform: PlatformName, userId: string, channelId: string, requestId: string, replaces?: QuotaTicket): Promise<Admission> {
    if (!ctx.quota) return { ok: true };
    return ctx.quota.admit({ platform, userId, channelId, requestId }, { replaces });
  }

  /** The quota ticket of the session's running turn, which a follow-up interrupts. */
  async function runningTicket(session: AgentSessionRecord): Promise<QuotaTicket | undefined> {
    if (!ctx.quota || session.currentTurnId === undefined) return undefined;
    const turn = await ctx.state.getTurn(session.currentTurnId);
    return turn?.state === 'running' ? turn.quota : undefined;
  }

  /** An answer that needs no persistence (usage, unknown agent): posted after accept resolves. */
  function answerLater(event: InboundMessage, threadRootId: string, text: string): void {
    const task = postInThread(ctx, event.ref, threadRootId, `hint:${messageKey(event.ref)}`, text)
      .catch((error: unknown) => ctx.logger.warn({ err: describeError(error) }, 'could not answer a mention'))
      .finally(() => sideTasks.delete(task));
    sideTasks.add(task);
  }

  /**
   * A reply in a session's thread, or in a copy of it in another linked channel (a thread
   * message, or a Discord reply to one of its messages): true when it was one (taken,
   * refused or empty). From a copy, only the session's own tenant may continue it.
   */
  async function acceptFollowUp(event: InboundMessage, source: ChatAdapter): Promise<boolean> {
    const continued = await findContinuedSession(ctx, event);
    if (!continued) return false;
    const { session, viaCopy } = continued;
    // The mention that started this session, delivered again (a late Slack retry): it is
    // in the session's thread, but it is not a follow-up to itself.
    if (session.id === `m:${messageKey(event.ref)}`) return true;
    // Where the person is answered (quota, refusal): the thread they wrote in.
    const replyThread = event.ref.threadRootId ?? event.ref.messageId;
    if (viaCopy) {
      const decision = decideCopyFollowUp({
        isChannelSession: isChannelSessionId(session.id),
        sessionPlace: await sessionPlace(ctx, session),
        replierPlace: { platform: event.platform, ...(event.placeId !== undefined ? { placeId: event.placeId } : {}) },
        tenancy: ctx.tenancy ?? {},
      });
      if (decision.kind === 'ignore') return false;
      if (decision.kind === 'refuse') {
        ctx.logger.info(
          { sessionRecordId: session.id, platform: event.platform, placeId: event.placeId, reason: decision.reason },
          'reply in a copy of an agent thread not sent to the agent',
        );
        answerLater(event, replyThread, strangerFollowUpText(session.agentLabel, ctx.settings.commandName));
        return true;
      }
    }
    const text = stripSelfMentions(event.text, source.selfUserId);
    if (text === '') return true;
    const admitted = await admit(event.platform, event.author.id, event.ref.channelId, `fu:${messageKey(event.ref)}`, await runningTicket(session));
    if (!admitted.ok) answerLater(event, replyThread, admitted.text);
    else await enqueue(followUpRequest(event, session, text, ctx.now(), admitted));
    return true;
  }

  async function acceptMessage(event: InboundMessage, source: ChatAdapter): Promise<void> {
    // Other bots and the bridge's own posts (Fluxra agents' messages among them) never continue a session.
    if (event.author.isSelf || event.author.isBot) return;
    if (await acceptFollowUp(event, source)) return;
    if (!event.mentionsBot) return;
    const rootId = event.ref.threadRootId;
    const threadRootId = rootId ?? event.ref.messageId;
    const parsed = parseAgentRequest({ text: stripSelfMentions(event.text, source.selfUserId) }, agentNames);
    if (parsed.kind === 'usage') return answerLater(event, threadRootId, agentUsage(ctx.settings.commandName, agentNames));
    if (parsed.kind === 'unknown-agent') return answerLater(event, threadRootId, unknownAgentText(parsed.token, agentNames));
    const admitted = await admit(event.platform, event.author.id, event.ref.channelId, `m:${messageKey(event.ref)}`);
    if (!admitted.ok) return answerLater(event, threadRootId, admitted.text);
    const agent = { resolved: ctx.blocks.resolveAgent(parsed.agent), label: parsed.agent, prompt: parsed.prompt };
    await enqueue(mentionStartRequest(event, threadRootId, agent, ctx.now(), admitted));
    if (event.inAssistantPane === true) titleLater(event, source, threadRootId, parsed.prompt);
  }

  /** A side-pane thread is named after the prompt that started its session (best effort). */
  function titleLater(event: InboundMessage, source: ChatAdapter, threadRootId: string, prompt: string): void {
    if (!source.titleThread) return;
    const thread = { platform: event.platform, channelId: event.ref.channelId, messageId: threadRootId };
    const task = source
      .titleThread(thread, threadTitle(prompt))
      .catch((error: unknown) => ctx.logger.warn({ err: describeError(error) }, 'could not title a side-pane thread'))
      .finally(() => sideTasks.delete(task));
    sideTasks.add(task);
  }

  return {
    acceptMessage,
    async startFromCommand(start) {
      const { invocation } = start;
      const admitted = await admit(invocation.platform, invocation.user.id, invocation.channel.channelId, `c:${invocation.eventId}`);
      if (!admitted.ok) return { started: false, answer: admitted.text };
      await enqueue(commandStartRequest(start, ctx.now(), admitted));
      return { started: true };
    },
    inFlight: () => [...sideTasks],
  };
}
