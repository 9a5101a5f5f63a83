/**
 * The one place where the agent-session engine and the mirror meet. An agent thread (the
 * question, the agent's answers, each turn's final status line) is written by the bridge
 * itself, so the mirror cannot take it from the platform's echo of our post: to the mirror,
 * our own posts are echoes and are skipped. Instead the session engine hands each such post
 * to an `AgentPostSink` once it is posted; the mirror queues it durably, like a person's
 * message, and delivers it to Fluxra as the bridge agent (attributed to the agent) and into
 * every other linked channel.
 */
import type { MessageRef } from './chat.js';

/** What kind of agent-thread post it is. Intermediate edits of a status are never handed over. */
export type AgentPostKind = 'question' | 'answer' | 'status';

export interface AgentPost {
  kind: AgentPostKind;
  /** The post as the platform returned it (its first part), with the thread it is in. */
  ref: MessageRef;
  /** Its text as posted (neutral markdown); a status carries its final line. */
  text: string;
  /** The agent people see (`claude`, an alias): posts are attributed to it. */
  agentLabel: string;
  /** Epoch ms when it was posted. */
  postedAt: number;
}

export interface AgentPostSink {
  /**
   * Resolves once the post is durable on its way (or once it is known not to be mirrored:
   * the channel is not linked). Handing the same post twice mirrors it once.
   */
  acceptAgentPost(post: AgentPost): Promise<void>;
}
