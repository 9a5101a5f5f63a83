/**
 * The fake Blocks server's world: sessions, turns, messages, artifacts and the arrival log.
 * Wire shapes (snake_case) are stored as they are served, so routes only filter and wrap.
 */
import { randomUUID } from 'node:crypto';

/** A pull request as the API may send it (spec §6.1 CONFLICT): a string, or `{ url, status }`. */
export type FakePullRequest = string | { url: string; status?: string };

export interface FakeMessage {
  id: string;
  chat_id: string;
  /** null = system notice. */
  chat_thread_id: string | null;
  task_id: string | null;
  role: 'user' | 'assistant';
  type: 'message' | 'final_message' | 'tool_call';
  message: string;
  ts: number | null;
  created_at: string;
  updated_at: string;
}

export type TurnStatus = 'running' | 'done' | 'interrupted';

export interface FakeTurn {
  sessionId: string;
  threadId: string;
  taskId: string;
  userMessageId: string;
  prompt: string;
  status: TurnStatus;
  /** List requests that touched this turn's session since it started (drives `afterPolls`). */
  polls: number;
  /** Progress messages already written. */
  progressSent: number;
  startedAtMs: number;
}

export interface FakeSession {
  id: string;
  /** The API key that created it: sessions are workspace-scoped, another key gets 404. */
  apiKey: string;
  title: string;
  agent: { agent_name?: string; agent_id?: string; profile?: unknown };
  is_private: boolean;
  is_archived: boolean;
  pull_requests: FakePullRequest[];
  source_url: string | null;
  session_group_id: string | null;
  plan_artifact_ids: string[];
  created_at: string;
  updated_at: string;
  turns: FakeTurn[];
  messages: FakeMessage[];
}

export interface FakeArtifact {
  id: string;
  sessionId: string;
  url: string;
  file_name: string;
  file_path: string;
  file_size_in_kb: number;
  mime_type: string;
  kind: 'plan' | 'file';
  plan_id: string | null;
  created_at: string;
}

/** One request as it arrived. Never holds the API key. */
export interface FakeRequestRecord {
  seq: number;
  method: string;
  path: string;
  /** Raw query string without `?` (repeated keys stay visible: `type=message&type=final_message`). */
  query: string;
  /** Value of the `x-bridge-priority` header, if the client sent one. */
  priority?: string;
  arrivalMs: number;
  /** Status answered; 0 while pending, for hung requests, or for dropped connections. */
  status: number;
  authPresent: boolean;
  /** Parsed JSON body of a POST, when it was JSON. */
  body?: unknown;
  /** The injected fault that handled it, if any. */
  fault?: string;
}

export interface FakeBlocksState {
  sessions: Map<string, FakeSession>;
  artifacts: Map<string, FakeArtifact>;
  /** Arrival log, in arrival order. */
  requests: FakeRequestRecord[];
  /** Requests the sliding window refused with 429 (those over the limit). */
  violations: number;
}

export function createState(): FakeBlocksState {
  return { sessions: new Map(), artifacts: new Map(), requests: [], violations: 0 };
}

/** Epoch-seconds timestamps that are fractional and strictly increasing, like provider `ts`. */
export interface TsClock {
  next(): number;
  /** Current epoch second (the `gts` cursor of an empty page). */
  nowSeconds(): number;
}

export function createTsClock(now: () => number): TsClock {
  let last = 0;
  return {
    next() {
      let ts = Math.round(now()) / 1000;
      if (Number.isInteger(ts)) ts += 0.001;
      if (ts <= last) ts = last + 0.001;
      ts = Math.round(ts * 1000) / 1000;
      last = ts;
      return ts;
    },
    nowSeconds() {
      return Math.floor(now() / 1000);
    },
  };
}

export interface MessageFactory {
  add(session: FakeSession, fields: Pick<FakeMessage, 'chat_thread_id' | 'task_id' | 'role' | 'type' | 'message'> & { ts?: number | null }): FakeMessage;
}

export function createMessageFactory(now: () => number, ts: TsClock): MessageFactory {
  return {
    add(session, fields) {
      const iso = new Date(now()).toISOString();
      const message: FakeMessage = {
        id: randomUUID(),
        chat_id: session.id,
        chat_thread_id: fields.chat_thread_id,
        task_id: fields.task_id,
        role: fields.role,
        type: fields.type,
        message: fields.message,
        ts: fields.ts === undefined ? ts.next() : fields.ts,
        created_at: iso,
        updated_at: iso,
      };
      session.messages.push(message);
      session.updated_at = iso;
      return message;
    },
  };
}

/** Sort key: `ts`, else `created_at` in seconds; ties keep insertion order (stable sort). */
export function sortKey(message: FakeMessage): number {
  return message.ts ?? Date.parse(message.created_at) / 1000;
}

export function findTurn(state: FakeBlocksState, threadId: string): { session: FakeSession; turn: FakeTurn } | undefined {
  for (const session of state.sessions.values()) {
    const turn = session.turns.find((candidate) => candidate.threadId === threadId.toLowerCase());
    if (turn) return { session, turn };
  }
  return undefined;
}

export function requireSession(state: FakeBlocksState, sessionId: string): FakeSession {
  const session = state.sessions.get(sessionId.toLowerCase());
  if (!session) throw new Error(`fake blocks: no session ${sessionId}`);
  return session;
}

/** Stores an artifact for the session; a plan is also listed in the session's plan_artifact_ids. */
export function addArtifact(state: FakeBlocksState, session: FakeSession, fields: Partial<Omit<FakeArtifact, 'id' | 'sessionId'>>, now: () => number): FakeArtifact {
  const id = randomUUID();
  const kind = fields.kind ?? 'plan';
  const artifact: FakeArtifact = {
    id,
    sessionId: session.id,
    url: fields.url ?? `https://storage.blocks.invalid/artifacts/${id}?X-Amz-Signature=fake`,
    file_name: fields.file_name ?? 'plan.md',
    file_path: fields.file_path ?? '/workspace/plan.md',
    file_size_in_kb: fields.file_size_in_kb ?? 2,
    mime_type: fields.mime_type ?? 'text/markdown',
    kind,
    plan_id: fields.plan_id !== undefined ? fields.plan_id : kind === 'plan' ? randomUUID() : null,
    created_at: fields.created_at ?? new Date(now()).toISOString(),
  };
  state.artifacts.set(id, artifact);
  if (kind === 'plan') session.plan_artifact_ids.push(id);
  return artifact;
}

/** Stores a session with no messages and no turns. */
export function addEmptySession(state: FakeBlocksState, apiKey: string, now: () => number): FakeSession {
  const iso = new Date(now()).toISOString();
  const session: FakeSession = {
    id: randomUUID(),
    apiKey,
    title: 'Empty session',
    agent: { agent_name: 'claude' },
    is_private: false,
    is_archived: false,
    pull_requests: [],
    source_url: null,
    session_group_id: null,
    plan_artifact_ids: [],
    created_at: iso,
    updated_at: iso,
    turns: [],
    messages: [],
  };
  state.sessions.set(session.id, session);
  return session;
}
