/**
 * What the fake Slack knows and what it saw: users, channels, channel histories with
 * generated `ts` values, every Web API call, every Socket Mode ack and every response_url
 * post, all stamped with one sequence counter so that tests can compare their order.
 */
import { EventEmitter } from 'node:events';

export interface FakeSlackUser {
  id: string;
  name: string;
  displayName?: string;
  realName?: string;
  isAdmin?: boolean;
  isOwner?: boolean;
  isPrimaryOwner?: boolean;
  isBot?: boolean;
  imageUrl?: string;
  /** The user's own workspace, when not the app's: a Slack Connect guest (`users.info` → `team_id`). */
  teamId?: string;
}

export interface FakeSlackChannel {
  id: string;
  name: string;
  /** `conversations.info` flags: a private channel, a DM, a group DM. */
  isPrivate?: boolean;
  isIm?: boolean;
  isMpim?: boolean;
}

export interface FakeSlackMessage {
  ts: string;
  text: string;
  user?: string;
  botId?: string;
  username?: string;
  iconUrl?: string;
  threadTs?: string;
  edited?: { user: string; ts: string };
  deleted?: boolean;
  /** Files shared with the message (Slack's file objects, as the event carried them). */
  files?: unknown[];
  /** Block Kit blocks the bot posted or updated the message with (buttons live here). */
  blocks?: Array<Record<string, unknown>>;
  /** `assistant_app_thread`: the root Slack makes when a person opens the side pane. */
  subtype?: string;
  reactions: Array<{ name: string; users: string[] }>;
  /** An answer stream (`chat.startStream`) still open. */
  streaming?: boolean;
  /** `task_display_mode` of a stream, and its tool steps (`task_update` chunks). */
  taskDisplayMode?: string;
  tasks?: Array<{ id: string; title: string; status: string }>;
}

/** A thread's assistant status, as `assistant.threads.setStatus` last set it ('' cleared). */
export interface FakeThreadStatus {
  status: string;
  setAt: number;
  /** Every status set on the thread, in order ('' included). */
  history: string[];
}

/** One Web API call as it arrived: the method and its arguments, the token removed. */
export interface FakeSlackCall {
  seq: number;
  method: string;
  args: Record<string, unknown>;
}

export interface FakeSlackAck {
  seq: number;
  envelopeId: string;
  payload: unknown;
}

export interface FakeSlackResponse {
  seq: number;
  id: string;
  body: Record<string, unknown>;
}

/** A modal the app opened with `views.open` (for a click the fake delivered). */
export interface FakeSlackView {
  seq: number;
  id: string;
  triggerId: string;
  /** The user whose click it answers. */
  userId: string;
  view: Record<string, unknown>;
}

/** One thread of Slack's AI side pane, as the app set it up (`assistant.threads.*`). */
export interface FakeAssistantThread {
  /** The app's DM with the person (`D…`). */
  channel: string;
  threadTs: string;
  userId: string;
  /** The channel the person was looking at (`assistant_thread.context.channel_id`). */
  contextChannel?: string;
  title?: string;
  /** What the pane shows under the thread ("is thinking…"); cleared when the app replies. */
  status?: string;
  prompts?: Array<{ title: string; message: string }>;
  promptsTitle?: string;
}

export interface FakeSlackMark {
  seq: number;
  label: string;
}

export class FakeSlackState extends EventEmitter {
  readonly users = new Map<string, FakeSlackUser>();
  readonly channels = new Map<string, FakeSlackChannel>();
  /** Channels deleted (or archived away from us): every call naming one answers channel_not_found. */
  readonly deletedChannels = new Set<string>();
  readonly histories = new Map<string, FakeSlackMessage[]>();
  readonly calls: FakeSlackCall[] = [];
  readonly acks: FakeSlackAck[] = [];
  readonly responses: FakeSlackResponse[] = [];
  readonly marks: FakeSlackMark[] = [];
  /** Methods this workspace or token refuses, with the error Slack gives (e.g. missing_scope). */
  readonly refusedMethods = new Map<string, string>();
  /** Thread statuses by `<channel>:<thread_ts>`. */
  readonly threadStatuses = new Map<string, FakeThreadStatus>();
  /** How long a status lives without news (Slack: two minutes). */
  threadStatusTimeoutMs = 120_000;
  readonly views: FakeSlackView[] = [];
  /** trigger_id → the user whose click it came with (`views.open` accepts only these). */
  readonly triggers = new Map<string, string>();
  /** Side-pane threads by `${channel}:${threadTs}`. */
  readonly assistantThreads = new Map<string, FakeAssistantThread>();
  private seq = 0;

  refuseMethod(method: string, error = 'missing_scope'): void {
    this.refusedMethods.set(method, error);
  }

  setThreadStatus(channel: string, threadTs: string, status: string): void {
    const key = `${channel}:${threadTs}`;
    const existing = this.threadStatuses.get(key);
    if (status === '' && !existing) return;
    const history = existing?.history ?? [];
    history.push(status);
    this.threadStatuses.set(key, { status, setAt: Date.now(), history });
    this.emit('change');
  }

  /** The status shown in a thread now: '' when cleared or timed out. */
  threadStatus(channel: string, threadTs: string): string {
    const entry = this.threadStatuses.get(`${channel}:${threadTs}`);
    if (!entry || Date.now() - entry.setAt >= this.threadStatusTimeoutMs) return '';
    return entry.status;
  }
  private lastTsMicros = 0;

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /**
   * Slack-shaped, strictly increasing message timestamps from the wall clock (seconds with
   * microseconds), as Slack's are: history reads filter on them with `oldest`/`latest`.
   */
  nextTs(): string {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    return `${Math.floor(this.lastTsMicros / 1_000_000)}.${String(this.lastTsMicros % 1_000_000).padStart(6, '0')}`;
  }

  history(channel: string): FakeSlackMessage[] {
    let history = this.histories.get(channel);
    if (!history) {
      history = [];
      this.histories.set(channel, history);
    }
    return history;
  }

  findMessage(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.histories.get(channel)?.find((message) => message.ts === ts && !message.deleted);
  }

  recordCall(method: string, args: Record<string, unknown>): FakeSlackCall {
    const call = { seq: this.nextSeq(), method, args };
    this.calls.push(call);
    this.emit('change');
    return call;
  }

  recordAck(envelopeId: string, payload: unknown): void {
    this.acks.push({ seq: this.nextSeq(), envelopeId, payload });
    this.emit('change');
  }

  recordResponse(id: string, body: Record<string, unknown>): void {
    this.responses.push({ seq: this.nextSeq(), id, body });
    this.emit('change');
  }

  /** Stamps a point in the shared order (e.g. "handler finished") to compare with acks and calls. */
  mark(label: string): FakeSlackMark {
    const mark = { seq: this.nextSeq(), label };
    this.marks.push(mark);
    this.emit('change');
    return mark;
  }

  assistantThread(channel: string, threadTs: string): FakeAssistantThread | undefined {
    return this.assistantThreads.get(`${channel}:${threadTs}`);
  }

  callsTo(method: string): FakeSlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves once `check` returns a value, re-checking whenever the state changes. */
  waitFor<T>(check: () => T | undefined | false, description: string, timeoutMs = 5_000): Promise<T> {
    const first = check();
    if (first) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const onChange = (): void => {
        const value = check();
        if (!value) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake Slack: timed out waiting for ${description}`));
      }, timeoutMs);
      timer.unref();
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('change', onChange);
      };
      this.on('change', onChange);
    });
  }
}
