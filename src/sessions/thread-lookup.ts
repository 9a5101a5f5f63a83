/**
 * Which session a person's reply continues: the session whose thread it is in or whose
 * message it replies to, directly (the session's own thread) or through the mirror's copies
 * of the thread in another linked channel (the message map names every copy of a mirrored
 * message). The decisions are in thread-copies.ts; this does the store reads.
 */
import type { InboundMessage } from '../core/chat.js';
import type { Place } from '../core/tenancy.js';
import type { EngineContext } from './context.js';
import { continuedMessages, threadRootsOfCopies } from './thread-copies.js';
import type { AgentSessionRecord } from './types.js';

export interface ContinuedSession {
  session: AgentSessionRecord;
  /** The reply was written in another channel than the session's: in a copy of its thread. */
  viaCopy: boolean;
}

const sameChannel = (a: { platform: string; channelId: string }, b: { platform: string; channelId: string }): boolean => a.platform === b.platform && a.channelId === b.channelId;

export async function findContinuedSession(ctx: Pick<EngineContext, 'state' | 'store'>, message: Pick<InboundMessage, 'ref' | 'replyTo'>): Promise<ContinuedSession | undefined> {
  const found = (session: AgentSessionRecord): ContinuedSession => ({ session, viaCopy: !sameChannel(session.channel, message.ref) });
  for (const continued of continuedMessages(message)) {
    const direct = await ctx.state.findSessionByThread(continued);
    if (direct) return found(direct);
    const fluxraMessageId = await ctx.store.messageMap.fluxraIdOf(continued);
    if (fluxraMessageId === undefined) continue;
    for (const root of threadRootsOfCopies(await ctx.store.messageMap.copiesOf(fluxraMessageId), continued)) {
      const session = await ctx.state.findSessionByThread(root);
      if (session) return found(session);
    }
  }
  return undefined;
}

/** Where a session was started: recorded on it, else (older records) the place of its channel's link. */
export async function sessionPlace(ctx: Pick<EngineContext, 'store'>, session: AgentSessionRecord): Promise<Place> {
  const placeId = session.placeId ?? (await ctx.store.links.get(session.channel))?.placeId;
  return { platform: session.platform, ...(placeId !== undefined ? { placeId } : {}) };
}
