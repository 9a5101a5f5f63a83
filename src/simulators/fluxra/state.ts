/**
 * The fake Fluxra's world: agents, keys, tokens, conversations, messages, blocks, and the
 * rules of spec §3–§6 and the §10 working contract. No HTTP here: the server turns
 * `FakeFluxraFault`s into error envelopes, and helpers call these methods directly.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** A refusal the server answers with the JSON envelope `{error:{code,message}}`. */
export class FakeFluxraRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface FakeAgent {
  agentId: string;
  agentName: string;
  recoveryKey: string;
  email?: string;
  metadata?: Record<string, unknown>;
  createdAt: string;
}

export interface FakeApiKey {
  keyId: string;
  agentId: string;
  name: string;
  apiKey: string;
  scopes: string[];
  /** Epoch ms, or null for no expiry. */
  expiresAt: number | null;
  createdAt: string;
}

export interface FakeToken {
  agentId: string;
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
}

export interface FakeConversation {
  conversationId: string;
  type: string;
  name: string;
  memberIds: string[];
  createdAt: string;
}

export interface FakeMessage {
  /** Global arrival order: what message cursors point at. */
  seq: number;
  messageId: string;
  conversationId: string;
  senderId: string;
  content: string;
  type: string;
  inReplyTo: string | null;
  mention: string[];
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
}

export interface FakeBlock {
  seq: number;
  blockId: string;
  ownerId: string;
  targetType: 'group' | 'agent';
  targetId: string;
  createdAt: string;
}

export interface SendInput {
  conversationId?: string;
  recipientAgentId?: string;
  content: string;
  type?: string;
  inReplyTo?: string;
  mention?: string[];
}

/** What the fake received, as a test asserts on it. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Route name from the route table, or undefined for a path no route matches. */
  route: string | undefined;
  query: Record<string, string>;
  /** Lower-case names; `authorization` is kept only as its scheme word (`Bearer`, `Basic`). */
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined. */
  body: unknown;
  /** Arrival time, epoch ms (wall clock). */
  at: number;
  /** Status answered, once answered (undefined for hung or dropped requests). */
  status?: number;
}

export const MAX_CONTENT = 10_000;
export const MAX_MENTIONS = 50;
const AGENT_NAME = /^[a-zA-Z0-9-]{3,50}$/;
const MESSAGE_TYPES = new Set(['text', 'command', 'system']);

const invalid = (message: string) => new FakeFluxraRefusal(400, 'INVALID_REQUEST', message);
const notFound = (message: string) => new FakeFluxraRefusal(404, 'NOT_FOUND', message);
const forbidden = (message: string) => new FakeFluxraRefusal(403, 'FORBIDDEN', message);

export class FakeFluxraState {
  readonly agents = new Map<string, FakeAgent>();
  /** By key value. */
  readonly apiKeys = new Map<string, FakeApiKey>();
  /** By JWT string. */
  readonly tokens = new Map<string, FakeToken>();
  readonly conversations = new Map<string, FakeConversation>();
  readonly messages = new Map<string, FakeMessage>();
  readonly blocks = new Map<string, FakeBlock>();
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  private seq = 0;

  constructor(private readonly now: () => number) {}

  timestamp(): string {
    return new Date(this.now()).toISOString();
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** After restoring saved messages (the sandbox's snapshots): keep numbering above them, so cursors stay valid. */
  resumeSeqAfter(seq: number): void {
    this.seq = Math.max(this.seq, seq);
  }

  registerAgent(input: { agentName: unknown; email?: unknown; metadata?: unknown }): FakeAgent {
    if (typeof input.agentName !== 'string' || !AGENT_NAME.test(input.agentName)) {
      throw invalid('agent_name must match ^[a-zA-Z0-9-]{3,50}$');
    }
    for (const agent of this.agents.values()) {
      if (agent.agentName === input.agentName) throw new FakeFluxraRefusal(409, 'CONFLICT', 'agent_name is already taken');
    }
    if (input.email !== undefined && typeof input.email !== 'string') throw invalid('email must be a string');
    if (input.metadata !== undefined && (typeof input.metadata !== 'object' || input.metadata === null)) throw invalid('metadata must be an object');
    const agent: FakeAgent = {
      agentId: `agt_${randomBytes(16).toString('hex')}`,
      agentName: input.agentName,
      recoveryKey: `rk_${randomBytes(18).toString('hex')}`,
      ...(typeof input.email === 'string' ? { email: input.email } : {}),
      ...(input.metadata ? { metadata: input.metadata as Record<string, unknown> } : {}),
      createdAt: this.timestamp(),
    };
    this.agents.set(agent.agentId, agent);
    return agent;
  }

  createApiKey(agentId: string, input: { name: unknown; scopes?: unknown; expiresInDays?: unknown }, apiKey?: string): FakeApiKey {
    if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 100) throw new FakeFluxraRefusal(400, 'INVALID_KEY_NAME', 'name is required');
    if (input.scopes !== undefined && (!Array.isArray(input.scopes) || input.scopes.some((s) => typeof s !== 'string'))) throw invalid('scopes must be a list of strings');
    if (input.expiresInDays !== undefined && (typeof input.expiresInDays !== 'number' || !Number.isInteger(input.expiresInDays) || input.expiresInDays < 1)) {
      throw invalid('expires_in_days must be a positive integer');
    }
    const key: FakeApiKey = {
      keyId: `aky_${randomBytes(8).toString('hex')}`,
      agentId,
      name: input.name,
      apiKey: apiKey ?? `sk_${randomBytes(24).toString('hex')}`,
      scopes: (input.scopes as string[] | undefined) ?? ['messages:read', 'messages:write', 'conversations:read', 'presence:update'],
      expiresAt: typeof input.expiresInDays === 'number' ? this.now() + input.expiresInDays * 86_400_000 : null,
      createdAt: this.timestamp(),
    };
    this.apiKeys.set(key.apiKey, key);
    return key;
  }

  createConversation(creatorId: string, input: { name: unknown; type?: unknown; memberIds?: unknown }): FakeConversation {
    if (typeof input.name !== 'string' || input.name.trim() === '') throw invalid('name is required');
    if (input.type !== undefined && input.type !== 'group' && input.type !== 'direct') throw invalid('type must be group or direct');
    const members = input.memberIds ?? [];
    if (!Array.isArray(members) || members.some((m) => typeof m !== 'string')) throw invalid('member_ids must be a list of agent ids');
    for (const id of members as string[]) if (!this.agents.has(id)) throw invalid(`unknown agent ${id}`);
    const conversation: FakeConversation = {
      conversationId: `conv_${randomUUID()}`,
      type: (input.type as string | undefined) ?? 'group',
      name: input.name,
      memberIds: [...new Set([creatorId, ...(members as string[])])],
      createdAt: this.timestamp(),
    };
    this.conversations.set(conversation.conversationId, conversation);
    return conversation;
  }

  addMembers(conversationId: string, agentIds: string[]): void {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw notFound('conversation not found');
    for (const id of agentIds) if (!conversation.memberIds.includes(id)) conversation.memberIds.push(id);
  }

  private directConversation(senderId: string, recipientId: string): FakeConversation {
    if (!this.agents.has(recipientId)) throw notFound('recipient agent not found');
    if (recipientId === senderId) throw invalid('cannot message yourself');
    for (const conversation of this.conversations.values()) {
      const m = conversation.memberIds;
      if (conversation.type === 'direct' && m.length === 2 && m.includes(senderId) && m.includes(recipientId)) return conversation;
    }
    const conversation: FakeConversation = {
      conversationId: `conv_${randomUUID()}`,
      type: 'direct',
      name: `${senderId}:${recipientId}`,
      memberIds: [senderId, recipientId],
      createdAt: this.timestamp(),
    };
    this.conversations.set(conversation.conversationId, conversation);
    return conversation;
  }

  private checkContent(content: unknown): string {
    if (typeof content !== 'string' || content.length === 0) throw invalid('content is required');
    if (content.length > MAX_CONTENT) throw invalid(`content exceeds ${MAX_CONTENT} characters`);
    return content;
  }

  /** Spec §5.1 rules and §10.5 refusals. */
  send(senderId: string, input: SendInput): FakeMessage {
    const hasConversation = input.conversationId !== undefined;
    const hasRecipient = input.recipientAgentId !== undefined;
    if (hasConversation === hasRecipient) throw invalid('exactly one of conversation_id and recipient_agent_id is required');
    const content = this.checkContent(input.content);
    if (input.type !== undefined && !MESSAGE_TYPES.has(input.type)) throw invalid('type must be text, command or system');
    const mention = input.mention ?? [];
    if (!Array.isArray(mention) || mention.some((m) => typeof m !== 'string')) throw invalid('mention must be a list of agent ids');
    if (mention.length > MAX_MENTIONS) throw invalid(`mention accepts at most ${MAX_MENTIONS} ids`);

    let conversation: FakeConversation | undefined;
    if (hasConversation) {
      if (typeof input.conversationId !== 'string') throw invalid('conversation_id must be a string');
      conversation = this.conversations.get(input.conversationId);
      if (!conversation) throw notFound('conversation not found');
    } else {
      if (typeof input.recipientAgentId !== 'string') throw invalid('recipient_agent_id must be a string');
      conversation = this.directConversation(senderId, input.recipientAgentId);
    }
    if (!conversation.memberIds.includes(senderId)) throw forbidden('sender is not a member of this conversation');
    if (this.findBlock(senderId, conversation.conversationId)) throw forbidden('you have blocked this conversation');
    for (const member of conversation.memberIds) {
      if (member !== senderId && this.findBlock(member, senderId)) throw forbidden('a member of this conversation has blocked you');
    }
    if (input.inReplyTo !== undefined) {
      const parent = typeof input.inReplyTo === 'string' ? this.messages.get(input.inReplyTo) : undefined;
      if (!parent || parent.conversationId !== conversation.conversationId) throw invalid('in_reply_to is not a message of this conversation');
    }
    const message: FakeMessage = {
      seq: this.nextSeq(),
      messageId: `msg_${randomUUID()}`,
      conversationId: conversation.conversationId,
      senderId,
      content,
      type: input.type ?? 'text',
      inReplyTo: input.inReplyTo ?? null,
      mention: mention as string[],
      createdAt: this.timestamp(),
      editedAt: null,
      deleted: false,
    };
    this.messages.set(message.messageId, message);
    return message;
  }

  /** §10.2: oldest first; without cursor the newest page; the cursor is the resume point. */
  listMessages(readerId: string, conversationId: string, limit: number, afterSeq: number | undefined): { messages: FakeMessage[]; lastSeq: number; hasMore: boolean } {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw notFound('conversation not found');
    if (!conversation.memberIds.includes(readerId)) throw forbidden('not a member of this conversation');
    const all = [...this.messages.values()].filter((m) => m.conversationId === conversationId).sort((a, b) => a.seq - b.seq);
    if (afterSeq === undefined) {
      const page = all.slice(-limit);
      return { messages: page, lastSeq: page.at(-1)?.seq ?? this.seq, hasMore: false };
    }
    const after = all.filter((m) => m.seq > afterSeq);
    const page = after.slice(0, limit);
    return { messages: page, lastSeq: page.at(-1)?.seq ?? afterSeq, hasMore: after.length > limit };
  }

  private ownMessage(agentId: string, messageId: string): FakeMessage {
    const message = this.messages.get(messageId);
    if (!message || message.deleted) throw notFound('message not found');
    if (message.senderId !== agentId) throw forbidden('only the sender may change a message');
    return message;
  }

  editMessage(agentId: string, messageId: string, content: unknown): FakeMessage {
    const message = this.ownMessage(agentId, messageId);
    message.content = this.checkContent(content);
    message.editedAt = this.timestamp();
    return message;
  }

  deleteMessage(agentId: string, messageId: string): void {
    const message = this.ownMessage(agentId, messageId);
    message.deleted = true;
    message.content = '';
  }

  findBlock(ownerId: string, targetId: string): FakeBlock | undefined {
    for (const block of this.blocks.values()) if (block.ownerId === ownerId && block.targetId === targetId) return block;
    return undefined;
  }

  /** §6.1: `group` blocks a conversation; any other type falls back to an agent block. */
  createBlock(ownerId: string, input: { type?: unknown; targetId: unknown }): FakeBlock {
    if (typeof input.targetId !== 'string' || input.targetId === '') throw invalid('target_id is required');
    const targetType = input.type === 'group' ? 'group' : 'agent';
    const exists = targetType === 'group' ? this.conversations.has(input.targetId) : this.agents.has(input.targetId);
    if (!exists || input.targetId === ownerId) throw new FakeFluxraRefusal(400, 'INVALID_TARGET', `not a valid ${targetType === 'group' ? 'conversation' : 'agent'} to block`);
    if (this.findBlock(ownerId, input.targetId)) throw new FakeFluxraRefusal(409, 'CONFLICT', 'target is already blocked');
    const block: FakeBlock = {
      seq: this.nextSeq(),
      blockId: `blk_${randomUUID()}`,
      ownerId,
      targetType,
      targetId: input.targetId,
      createdAt: this.timestamp(),
    };
    this.blocks.set(block.blockId, block);
    return block;
  }

  listBlocks(ownerId: string): FakeBlock[] {
    return [...this.blocks.values()].filter((b) => b.ownerId === ownerId).sort((a, b) => a.seq - b.seq);
  }

  deleteBlock(ownerId: string, blockId: string): void {
    if (!/^blk_[A-Za-z0-9-]+$/.test(blockId)) throw new FakeFluxraRefusal(400, 'INVALID_BLOCK_ID', 'not a block id');
    const block = this.blocks.get(blockId);
    if (!block || block.ownerId !== ownerId) throw notFound('block not found');
    this.blocks.delete(blockId);
  }
}
