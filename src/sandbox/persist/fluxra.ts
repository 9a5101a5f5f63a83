/**
 * Saves and restores the fake Fluxra's world: agents and their API keys (the bridge's own
 * identity among them), conversations, messages and blocks. Issued JWTs are not kept: the
 * bridge exchanges its key again after a restart, as it would after a real token expiry.
 */
import type { FakeAgent, FakeApiKey, FakeBlock, FakeConversation, FakeFluxraState, FakeMessage } from '../../simulators/fluxra/state.js';

export interface FluxraSnapshot {
  agents: FakeAgent[];
  apiKeys: FakeApiKey[];
  conversations: FakeConversation[];
  messages: FakeMessage[];
  blocks: FakeBlock[];
}

export function snapshotFluxra(state: FakeFluxraState): FluxraSnapshot {
  return {
    agents: [...state.agents.values()],
    apiKeys: [...state.apiKeys.values()],
    conversations: [...state.conversations.values()],
    messages: [...state.messages.values()],
    blocks: [...state.blocks.values()],
  };
}

export function restoreFluxra(state: FakeFluxraState, saved: FluxraSnapshot): void {
  for (const agent of saved.agents) state.agents.set(agent.agentId, agent);
  for (const key of saved.apiKeys) state.apiKeys.set(key.apiKey, key);
  for (const conversation of saved.conversations) state.conversations.set(conversation.conversationId, conversation);
  for (const message of saved.messages) state.messages.set(message.messageId, message);
  for (const block of saved.blocks) state.blocks.set(block.blockId, block);
  // Message cursors are sequence numbers: new messages must number after the restored ones.
  const highest = Math.max(0, ...saved.messages.map((message) => message.seq), ...saved.blocks.map((block) => block.seq));
  state.resumeSeqAfter(highest);
}
