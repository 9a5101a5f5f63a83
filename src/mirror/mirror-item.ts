/**
 * What the mirror's intake persists in the outbox and the worker delivers: the neutral
 * platform event as it arrived, nothing derived. The link, names and targets are looked up
 * at delivery time, so that a link changed while items waited is honoured.
 */
import type { Author, InboundDelete, InboundEdit, InboundMessage, MessageRef } from '../core/chat.js';

/**
 * The `mirror` section of the configuration, as the mirror reads it (the schema declares
 * each setting and its default once; the composition root hands the section in).
 */
export interface MirrorConfig {
  /** How a person's message is attributed: a template with `{text}`, `{name}`, `{platform}`. */
  attributionFormat: string;
  allowBotMessages: boolean;
  pollIntervalMs: number;
  idlePollIntervalMs: number;
  activeForMs: number;
  editScanIntervalMs: number;
  editScanSize: number;
  retryBaseMs: number;
  retryMaxMs: number;
  blockedProbeMs: number;
  /** Failed attempts after which an item is dead-lettered. */
  maxAttempts: number;
}

/**
 * A message to mirror. `agent` is set on a post the bridge made in an agent thread for that
 * agent (see `agent-post.ts`): it is attributed to the agent (`[claude · Blocks]`), not to
 * the bridge's bot user.
 */
export type MirroredMessage = InboundMessage & { agent?: string };

/** One queued platform → Fluxra delivery. */
export type MirrorItem = MirroredMessage | InboundEdit | InboundDelete;

/**
 * The second stage of a platform message: copying it into the other channels linked to the
 * same conversation, once Fluxra has it. Queued by the first stage, so that a slow or
 * rate-limited platform delays only the copies, never the next message's way to Fluxra.
 */
export type CopyItem =
  | {
      kind: 'post';
      source: MessageRef;
      author: Author;
      /** Neutral markdown with attachment links, not attributed (the post's name attributes it). */
      text: string;
      conversationId: string;
      /** The first Fluxra message of the source: names the posts. */
      fluxraMessageId: string;
      /** The Fluxra message the source continues (thread root, or the message a reply answers). */
      rootFluxraMessageId?: string;
      /** Set for an inline reply (see `threading.ts`): its quote line, for channels that do not thread it. */
      quote?: string;
      /** Set for an agent's post (`MirroredMessage.agent`): the copies go under the agent's name. */
      agent?: string;
    }
  | {
      kind: 'edit';
      source: MessageRef;
      author: Author;
      text: string;
      /** As on `post`: the copies outside a thread keep their quote line. */
      quote?: string;
    }
  | { kind: 'delete'; source: MessageRef; fluxraMessageId: string };

export {
  COPY_PARTITION_PREFIX,
  copyPartition,
  fromFluxraPartition,
  isCopyPartition,
  isFromFluxraPartition,
  isSendPartition,
  MIRROR_PARTITION_PREFIX,
  mirrorPartition,
} from '../delivery/sections.js';
