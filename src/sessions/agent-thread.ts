/**
 * Hands the posts of an agent thread to the mirror (`core/agent-posts.ts`): the question of a
 * slash command, each answer, and each turn's final status line (never the "working…" it
 * started as). Called after the post is made (through `postOnce`) and before the turn or
 * request is recorded as done, so a crash in between hands it over again on the retry, and
 * the mirror, keyed by the post, mirrors it once.
 */
import type { AgentPostKind } from '../core/agent-posts.js';
import type { MessageRef } from '../core/chat.js';
import type { EngineContext } from './context.js';

export async function shareAgentPost(
  ctx: Pick<EngineContext, 'agentPosts' | 'now'>,
  kind: AgentPostKind,
  posted: MessageRef | readonly MessageRef[] | undefined,
  text: string,
  agentLabel: string,
): Promise<void> {
  const ref = Array.isArray(posted) ? posted[0] : (posted as MessageRef | undefined);
  if (ref === undefined || ctx.agentPosts === undefined) return;
  await ctx.agentPosts.acceptAgentPost({ kind, ref, text, agentLabel, postedAt: ctx.now() });
}
