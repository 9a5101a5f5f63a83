/**
 * What commands do with channel bindings: bind a channel to an agent, unbind it (its queued
 * messages are then refused with a reason), start a new session, and show its status.
 */
import type { ChannelRef } from '../../core/chat.js';
import { channelKey } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import type { EngineContext } from '../context.js';
import type { AgentNames } from '../parse.js';
import { unknownAgentText } from '../usage.js';
import type { ChannelBinding, ChannelBindings } from './bindings.js';
import type { ChannelQueue } from './queue.js';
import type { ChannelStatusView } from './text.js';
import { runningTurnOf } from './worker.js';

export type BindOutcome =
  | { kind: 'bound'; agentLabel: string }
  | { kind: 'already'; agentLabel: string }
  | { kind: 'bound-elsewhere'; agentLabel: string }
  | { kind: 'unknown-agent'; text: string };

/** What commands (`/bridge link agent`, `/agent new`, the status lines) may do with bindings. */
export interface ChannelAgentControl {
  bind(channel: ChannelRef, agentName: string, boundBy: string): Promise<BindOutcome>;
  /** The binding it had, if any; queued messages are then refused with a reason. */
  unbind(channel: ChannelRef): Promise<ChannelBinding | undefined>;
  /** Forgets the channel's session: the next message starts a fresh one. Undefined when not bound. */
  startNew(channel: ChannelRef): Promise<ChannelBinding | undefined>;
  status(channel: ChannelRef): Promise<ChannelStatusView | undefined>;
}

export interface ChannelControlDeps {
  ctx: EngineContext;
  bindings: ChannelBindings;
  queue: ChannelQueue;
  agentNames: AgentNames;
  logger: Logger;
  /** Wakes the channel's worker (after an unbind: its queued messages are refused). */
  kick(channel: ChannelRef): void;
}

export function createChannelControl(deps: ChannelControlDeps): ChannelAgentControl {
  const { ctx, bindings, queue, logger, kick } = deps;
  const bindingOf = (channel: ChannelRef) => bindings.get({ platform: channel.platform, channelId: channel.channelId });
  return {
    async bind(channel, agentName, boundBy) {
      const token = agentName.trim();
      if (!deps.agentNames.isKnown(token)) return { kind: 'unknown-agent', text: unknownAgentText(token, deps.agentNames) };
      const agentLabel = token.toLowerCase();
      const existing = await bindingOf(channel);
      if (existing) return { kind: existing.agentLabel === agentLabel ? 'already' : 'bound-elsewhere', agentLabel: existing.agentLabel };
      await bindings.put({ channel, agentLabel, agent: ctx.blocks.resolveAgent(token), boundBy, boundAt: ctx.now(), sessionCount: 0 });
      logger.info({ channel: channelKey(channel), agent: agentLabel }, 'channel bound to an agent');
      return { kind: 'bound', agentLabel };
    },

    async unbind(channel) {
      const previous = await bindings.remove(channel);
      if (previous) {
        logger.info({ channel: channelKey(channel), agent: previous.agentLabel }, 'channel unbound from its agent');
        kick(channel);
      }
      return previous;
    },

    async startNew(channel) {
      const binding = await bindingOf(channel);
      if (!binding) return undefined;
      const { sessionRecordId: _old, ...rest } = binding;
      await bindings.put(rest);
      logger.info({ channel: channelKey(channel), previous: binding.sessionRecordId }, 'bound channel starts a new session');
      return binding;
    },

    async status(channel) {
      const binding = await bindingOf(channel);
      if (!binding) return undefined;
      const session = binding.sessionRecordId ? await ctx.state.getSession(binding.sessionRecordId) : undefined;
      const running = await runningTurnOf(ctx, session);
      const batch = await queue.getBatch(channel);
      const inBatch = new Set(batch?.entryIds ?? []);
      const waiting = (await queue.waiting(channel)).filter((e) => !inBatch.has(e.id)).map((e) => e.item);
      return {
        agentLabel: binding.agentLabel,
        boundBy: binding.boundBy,
        boundAt: binding.boundAt,
        mode: ctx.settings.sessions.boundChannelMode,
        ...(session ? { session: { state: session.state, turns: session.turnCount, ...(session.sessionUrl ? { url: session.sessionUrl } : {}) } } : {}),
        ...(running ? { running: { n: running.n, ageMs: ctx.now() - running.startedAt, messages: running.placement?.messages ?? [] } } : {}),
        waiting,
        sending: batch?.messages.length ?? 0,
      };
    },
  };
}
