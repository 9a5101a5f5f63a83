/**
 * Agent threads across the mirror: the posts the bridge made in an agent thread (handed over
 * by the session engine, `core/agent-posts.ts`) become mirror items like a person's message,
 * queued in their channel's partition (so a question goes before its answers, an answer
 * before the follow-up's), and delivered by the same stages: to Fluxra as the bridge agent,
 * attributed to the agent, and into the other linked channels under the agent's name.
 * Pure functions; the intake persists what they return.
 */
import type { AgentPost } from '../core/agent-posts.js';
import type { Author } from '../core/chat.js';
import { messageKey } from '../core/keys.js';
import type { MessageSource } from './attribution.js';
import type { MirroredMessage } from './mirror-item.js';

/** The id of an agent post's mirror item: one per posted message, so handing it twice mirrors it once. */
export function agentPostEventId(post: Pick<AgentPost, 'ref'>): string {
  return `agent-post:${messageKey(post.ref)}`;
}

/** The mirror item of an agent post: its source is the post itself, its author the agent. */
export function agentPostItem(post: AgentPost): MirroredMessage {
  const author: Author = { id: `agent:${post.agentLabel}`, displayName: post.agentLabel, isBot: true, isSelf: true };
  return {
    kind: 'message',
    platform: post.ref.platform,
    eventId: agentPostEventId(post),
    receivedAt: post.postedAt,
    ref: post.ref,
    author,
    text: post.text,
    attachments: [],
    mentionsBot: false,
    agent: post.agentLabel,
  };
}

/** Who a mirrored message is attributed to, and where it was written: the agent on Blocks, or the person on their platform. */
export function attributionOf(item: Pick<MirroredMessage, 'author' | 'platform'> & { agent?: string | undefined }): { name: string; platform: MessageSource } {
  if (item.agent !== undefined) return { name: item.agent, platform: 'blocks' };
  return { name: item.author.displayName, platform: item.platform };
}
