/**
 * The platform boundary. Engines (mirror, sessions, commands) see only these neutral
 * types; Bolt and discord.js stay inside `src/platforms/slack` and `src/platforms/discord`.
 *
 * Text is neutral markdown (CommonMark + GFM strikethrough): each adapter converts between
 * this and its own dialect (Slack mrkdwn, Discord markdown). Mentions the source platform
 * resolved are tokens that carry platform, id and name (`<@slack:U1|Alice>`, see
 * `src/format/mentions.ts`): live only on their own platform, a plain `@Alice` elsewhere.
 * A bare `<#CHANNEL_ID>` (the bridge's own answers) is a channel reference on the platform
 * it is posted to.
 *
 * Threads: a thread is named by the id of its root message. On Slack that is the root's
 * `ts` (= `thread_ts`); on Discord a thread started from a message has the same id as
 * that message, and the adapter maps it to the thread channel.
 */

export type PlatformName = 'slack' | 'discord';

export interface ChannelRef {
  platform: PlatformName;
  /** Slack channel id (C…) / Discord text channel id (snowflake); never a Discord thread id. */
  channelId: string;
}

export interface MessageRef extends ChannelRef {
  /** Slack `ts` / Discord message id. */
  messageId: string;
  /** The root message id of the thread this message is in, when it is in one. */
  threadRootId?: string;
  /**
   * Adapter-private facts needed to edit or delete the message later (e.g. the Discord
   * webhook it was posted through). Engines store the ref as it is and hand it back unchanged.
   */
  meta?: Record<string, string>;
}

export interface Author {
  id: string;
  displayName: string;
  /** Any bot or app, including us. */
  isBot: boolean;
  /** This bridge itself (its bot user, or a webhook/username it posted through). */
  isSelf: boolean;
  avatarUrl?: string;
}

export interface Attachment {
  url: string;
  name?: string;
  contentType?: string;
  sizeBytes?: number;
}

interface InboundBase {
  platform: PlatformName;
  /**
   * A stable id for dedupe: the same logical event delivered twice (Slack retry, gateway
   * replay) carries the same `eventId`.
   */
  eventId: string;
  /** Set when the platform told us this is a redelivery (Slack `x-slack-retry-num`). */
  retryNum?: number;
  receivedAt: number;
  /**
   * Where it happened: the Slack workspace (`team_id`) or the Discord guild id. The tenancy
   * rules (src/core/tenancy.ts) decide from it whether the bridge serves the event.
   */
  placeId?: string;
}

export interface InboundMessage extends InboundBase {
  kind: 'message';
  ref: MessageRef;
  author: Author;
  /** Neutral markdown. */
  text: string;
  attachments: Attachment[];
  /** The bot was mentioned (Slack `app_mention`, Discord mention of our user). */
  mentionsBot: boolean;
  /**
   * The message this one answers without being in its thread (a Discord reply, type 19).
   * Where it goes is decided by one rule, `replyParent` in `src/mirror/threading.ts`.
   */
  replyTo?: ReplyTarget;
  /**
   * Who can read the channel is limited: a private channel, a group DM or a DM (Discord: a
   * channel @everyone cannot view, a private thread). Agent sessions started here are created
   * private. Adapters set it, counting a channel they cannot judge as private.
   */
  privateChannel?: boolean;
  /**
   * Written in the platform's AI side pane (Slack's "Agents & AI Apps"): addressed to the bot
   * (`mentionsBot` is set too), its thread one agent session titled from the first prompt.
   */
  inAssistantPane?: boolean;
}

/** The message a reply answers, with enough of it to quote where it cannot be threaded. */
export interface ReplyTarget {
  ref: MessageRef;
  /** Its author's display name, when the platform sent it along. */
  authorName?: string;
  /** The start of its text (neutral markdown, one line), when the platform sent it along. */
  excerpt?: string;
}

export interface InboundEdit extends InboundBase {
  kind: 'edit';
  ref: MessageRef;
  author: Author;
  text: string;
  attachments: Attachment[];
}

export interface InboundDelete extends InboundBase {
  kind: 'delete';
  ref: MessageRef;
}

export interface CommandUser {
  id: string;
  displayName: string;
  /**
   * Slack: workspace admin or owner. Discord: holds Manage Channels or Administrator in
   * the channel where the command ran.
   */
  isPrivileged: boolean;
}

export interface CommandInvocation extends InboundBase {
  kind: 'command';
  /** Command name without the slash, as configured (e.g. `block`). */
  command: string;
  /**
   * The arguments as words: on Slack the typed text split on whitespace; on Discord the
   * subcommand group, subcommand and option values in declared order.
   */
  args: string[];
  /** The raw text after the command (Slack) or the same words joined (Discord). */
  rawText: string;
  user: CommandUser;
  channel: ChannelRef;
  /** As on `InboundMessage`: the command ran in a private channel, a group DM or a DM. */
  privateChannel?: boolean;
  /** Set when the command was run inside a thread. */
  threadRootId?: string;
}

/**
 * A person pressed one of our action buttons (Slack `block_actions`, Discord
 * MESSAGE_COMPONENT). `eventId` is the interaction's (Slack `trigger_id`, Discord
 * interaction id): a replayed click carries the same one.
 */
export interface ButtonPress extends InboundBase {
  kind: 'button';
  /** The button's `action`, as `MessageButton` gave it. */
  action: string;
  /** What the button carried. It came back through the platform: never trust it. */
  value: string;
  user: CommandUser;
  channel: ChannelRef;
  /** The message the button is on. */
  message: MessageRef;
}

/** A person submitted a form the bridge opened (`ChatAdapter.openForm`). */
export interface FormSubmission extends InboundBase {
  kind: 'form';
  /** `FormSpec.form`. */
  form: string;
  /** `FormSpec.value`, back through the platform: never trust it. */
  value: string;
  /** What the person typed in the text box. */
  text: string;
  user: CommandUser;
  /** The channel of the button that opened the form. */
  channel: ChannelRef;
}

/** What the bridge answers through `reply`: a command, a button press, a form submission. */
export type Interaction = CommandInvocation | ButtonPress | FormSubmission;

export type InboundEvent = InboundMessage | InboundEdit | InboundDelete | CommandInvocation | ButtonPress | FormSubmission;

/**
 * A button under a message: an `action` the bridge hears back as a `ButtonPress` (with
 * `value`), or a link. Adapters render them (Slack Block Kit, Discord components) on posts
 * and on every edit: a message edited without them loses them.
 */
export type MessageButton = { kind: 'action'; action: string; label: string; value: string } | { kind: 'link'; label: string; url: string };

/** A modal with one text box (Slack `views.open`, Discord modal response). */
export interface FormSpec {
  /** Comes back as `FormSubmission.form`. */
  form: string;
  /** Comes back as `FormSubmission.value`. */
  value: string;
  title: string;
  /** The text box's label. */
  label: string;
  submitLabel: string;
  placeholder?: string;
}

export interface OutboundMessage {
  /** Neutral markdown. Adapters split it to their length limits without breaking code blocks. */
  text: string;
  /** Post under another name (an agent's): Slack `username`/`icon_url`, Discord webhook. */
  as?: { name: string; iconUrl?: string };
  /** Buttons under the message (under its last part when it is split). */
  buttons?: MessageButton[];
}

export interface PostOptions {
  /** Post as a reply in the thread of this root message (Discord: creating the thread when needed). */
  threadRootId?: string;
  /** A name for a Discord thread created for this post. */
  threadName?: string;
  /**
   * Post only the parts from this index on: the earlier ones exist already (a split post
   * resumed after one of its later parts failed). Past the last part, nothing is posted.
   */
  fromPart?: number;
}

/** Which part of a split message an edited platform message shows. */
export interface EditOptions {
  /** The index of the part (as `post` splits the text) the message becomes; default 0. */
  part?: number;
}

/** What an edit learnt: how many parts the new text has, so that callers add or drop messages. */
export interface EditResult {
  parts: number;
}

/** Where `findOwnPost` looks for a post we may already have made. */
export interface FindOwnPostOptions {
  /** Look in the thread of this root message (as `post` was given it), else top-level. */
  threadRootId?: string;
  /** Only posts made at or after this time (epoch ms) count. */
  sinceMs: number;
  /** Look for the parts from this index on (as `PostOptions.fromPart` posted them). */
  fromPart?: number;
}

/** What `readSince` reads: one channel's messages after a point, threads included. */
export interface ReadSinceOptions {
  /**
   * The newest message the caller already has (Slack `ts` / Discord id); reading starts
   * `overlapMs` before its time. Absent: reading starts at `notBeforeMs`.
   */
  afterMessageId?: string;
  /** Re-read this much before `afterMessageId`'s time, for messages accepted out of order. */
  overlapMs: number;
  /** Epoch ms: nothing older is read, whatever `afterMessageId` says. */
  notBeforeMs: number;
  /** Upper bound of history pages read for the channel, and again for each thread with news. */
  maxPages: number;
  /**
   * Slack: thread roots this far back (epoch-ms window) are checked for new replies. Discord
   * lists active threads instead and ignores it.
   */
  threadLookbackMs: number;
  /**
   * Epoch ms: also look this far back (when earlier than where reading starts, never before
   * `notBeforeMs`) for messages edited since, so that edits made while the bridge was down are
   * caught up. Messages from there on are not returned again as messages, only as edits.
   */
  changesSinceMs?: number;
  signal?: AbortSignal;
}

export interface ReadSinceResult {
  /** Oldest first, with the `eventId`s live delivery would have used. */
  messages: InboundMessage[];
  /** The page bound was reached: older messages than the oldest returned may be missing. */
  truncated: boolean;
  /**
   * Messages read (from `changesSinceMs` on) that carry an edit mark, as the edits live
   * delivery would have given (same `eventId`: the message and its edit stamp), oldest
   * message first. Whether an edit is news is the engines' call (they compare with what
   * they last sent), so the same edit read at every start is sent on once.
   */
  edits?: InboundEdit[];
  /**
   * The top-level messages the read saw (all of them, mapped or not) after `fromId`: every
   * top-level message after it still in the channel is listed, so one missing was deleted.
   */
  present?: { fromId: string; topLevelIds: string[] };
}

/**
 * The receiving connection changed. `interrupted`: events may stop for a while.
 * `restored`: events flow again; `lost` is true when events of the gap may never come
 * (a new Discord gateway session instead of a RESUME, a new Slack Socket Mode connection).
 */
export type ConnectionChange = { kind: 'interrupted' } | { kind: 'restored'; lost: boolean };

export interface ReplyOptions {
  /** Only the person who ran the command sees it (the default). */
  ephemeral?: boolean;
}

/** A neutral description of a slash command, turned into platform definitions by adapters. */
export interface CommandSpec {
  name: string;
  description: string;
  subcommands: Array<{
    name: string;
    description: string;
    options: Array<{ name: string; description: string; required: boolean }>;
  }>;
  /** Discord: only members with Manage Channels see it by default. */
  requiresPrivilege: boolean;
}

export type InboundHandler = (event: InboundEvent) => Promise<void>;

/** A thread of a channel (Slack: the root's ts; Discord: the thread channel, which is the root's id). */
export interface ThreadRef extends ChannelRef {
  threadRootId: string;
}

/** One piece of a streamed answer: text to add, and/or tool steps for the plan (Slack `task_update` chunks). */
export interface StreamChunk {
  /** Neutral markdown. */
  text?: string;
  tasks?: Array<{ id: string; title: string; status: 'in_progress' | 'complete' }>;
}

/**
 * How a platform shows that an agent is working in a thread (issue 18): Slack's thread
 * status and answer stream, Discord's typing indicator. Each method may be refused by a
 * workspace or token (a missing scope, an old plan): it then throws, and the caller falls
 * back to plain posts.
 */
export interface ProgressSurface {
  /** The native status: Slack `assistant.threads.setStatus` ('' clears), Discord typing ('' is a no-op). */
  setThreadStatus(thread: ThreadRef, status: string): Promise<void>;
  /** Opens an answer stream in the thread; `recipientUserId` is whom it answers (needed outside DMs). */
  startStream?(thread: ThreadRef, first: StreamChunk, options: { recipientUserId?: string; planMode: boolean }): Promise<MessageRef>;
  appendStream?(ref: MessageRef, chunk: StreamChunk): Promise<void>;
  /** Closes the stream with a last chunk; 'already-stopped' when it was closed before (a crash after the stop). */
  stopStream?(ref: MessageRef, last: StreamChunk): Promise<'stopped' | 'already-stopped'>;
}

/**
 * One chat platform. `start` connects; inbound events reach the single handler given to
 * `onEvent`, and an event is acknowledged to the platform only after the handler's promise
 * settles (so that what we accept is persisted first).
 */
/** See `ChatAdapter.connectionState`. */
export type ConnectionState = 'connected' | 'disconnected' | 'idle';

export interface ChatAdapter {
  readonly platform: PlatformName;
  /** Our own user id on the platform, known after `start`. */
  readonly selfUserId: string | undefined;
  onEvent(handler: InboundHandler): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Posts a message; long text becomes several messages, returned in order. */
  post(channel: ChannelRef, message: OutboundMessage, options?: PostOptions): Promise<MessageRef[]>;
  /**
   * Looks through recent history of the channel (or thread) for a post we made of exactly
   * this message: by us (our bot, or our webhook/username when posted `as` someone), whose
   * text equals the first part `post` would send. Returns the refs of every part found, as
   * `post` returned them (with `meta`), for the newest such post; `undefined` when none.
   * Slack and Discord have no idempotency key for posts: this is how a post whose
   * recording was lost in a crash is found again instead of being repeated.
   */
  findOwnPost(channel: ChannelRef, message: OutboundMessage, options: FindOwnPostOptions): Promise<MessageRef[] | undefined>;
  /**
   * Replaces the text of `ref` with one part of `message` (the first unless `options.part`).
   * A text longer than one message leaves the other parts to the caller (`editSplit`).
   */
  edit(ref: MessageRef, message: OutboundMessage, options?: EditOptions): Promise<EditResult>;
  delete(ref: MessageRef): Promise<void>;
  /** `emoji` is a Unicode emoji (✅, 👀, ⏳, ❌); adapters map it to their names. */
  react(ref: MessageRef, emoji: string): Promise<void>;
  unreact(ref: MessageRef, emoji: string): Promise<void>;
  /**
   * Reads what was posted in `channel` (and its threads) since a point, for catch-up after
   * downtime: the platforms neither replay a fresh gateway session (Discord) nor retry an
   * event for long (Slack). Message ids of one channel grow with time on both platforms.
   * Edits and deletes made meanwhile are not reported.
   */
  readSince?(channel: ChannelRef, options: ReadSinceOptions): Promise<ReadSinceResult>;
  /**
   * Tells `listener` synchronously about connection changes, before any event of a new
   * connection is handed to `onEvent`. Not called for the first connection of `start()`.
   */
  onConnectionChange?(listener: (change: ConnectionChange) => void): void;
  /**
   * The workspace (Slack `team_id`) or guild a channel belongs to, for records made before
   * places were kept (the tenancy migration at start). Undefined when it cannot be told.
   */
  placeOfChannel?(channelId: string): Promise<string | undefined>;
  /** Shows an agent's work natively (issue 18); absent, only posts and edits are used. */
  readonly progress?: ProgressSurface;
  /**
   * Names a thread where the platform shows thread names (Slack's side pane: its history
   * list). `thread` is the thread's root message. Best effort: callers log a failure.
   */
  titleThread?(thread: MessageRef, title: string): Promise<void>;
  /** Answers a command, a button press or a form (ephemeral by default). May be called more than once. */
  reply(invocation: Interaction, message: OutboundMessage, options?: ReplyOptions): Promise<void>;
  /**
   * Answers a button press with a form (a modal with one text box). Must come soon after the
   * press (Slack's trigger_id lives 3 s; Discord's first response is due within 3 s).
   */
  openForm?(press: ButtonPress, form: FormSpec): Promise<void>;
  /**
   * The receiving connection, for /readyz and metrics (adapters that cannot tell leave it
   * out): `idle` when it is not meant to run here (not started, stopped, or held by another
   * replica), `disconnected` while it should be up but is not (reconnecting).
   */
  connectionState?(): ConnectionState;
  /** Why the connection is down and will not come back by itself (Slack's `link_disabled`), if so. */
  connectionProblem?(): string | undefined;
  /**
   * Stops receiving events and commands while posting keeps working, so that a graceful
   * shutdown can drain the outbox through the adapter; `stop` still closes everything.
   */
  stopReceiving?(): Promise<void>;
}

/** Commands, button presses and forms: answered by the bridge, never mirrored or consumed. */
export function isInteraction(event: InboundEvent): event is Interaction {
  return event.kind === 'command' || event.kind === 'button' || event.kind === 'form';
}
