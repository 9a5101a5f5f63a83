/**
 * The session engine is built before the mirror (the commands need the engine, the mirror
 * comes with the event consumers), yet hands the mirror its agent threads' posts. The relay
 * is the sink the engine gets; the mirror is connected to it once built. Without a mirror
 * (no Fluxra) nothing is linked, so there is nothing to mirror and posts go nowhere.
 */
import type { AgentPost, AgentPostSink } from '../core/agent-posts.js';

export interface AgentPostRelay extends AgentPostSink {
  connect(target: AgentPostSink | undefined): void;
}

export function createAgentPostRelay(): AgentPostRelay {
  let target: AgentPostSink | undefined;
  return {
    connect(next) {
      target = next;
    },
    async acceptAgentPost(post: AgentPost) {
      await target?.acceptAgentPost(post);
    },
  };
}
