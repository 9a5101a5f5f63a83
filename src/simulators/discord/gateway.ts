/**
 * The fake gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeat ACKs, and RESUME with
 * replay of what the client missed. Dispatches are numbered per session and kept, so a
 * dropped connection can be resumed and a replay can repeat events on purpose (that is
 * how Discord produces duplicates).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { snowflake } from './objects.js';
import type { FakeDiscordState } from './state.js';

interface Session {
  id: string;
  sequence: number;
  /** Every dispatch of this session, for replay on RESUME. */
  log: Dispatch[];
  socket: WebSocket | undefined;
  /** Set by `dropConnection({ replaySince })`: replay from here instead of the client's seq. */
  forcedReplaySince?: number;
}

export interface FakeGatewayOptions {
  heartbeatIntervalMs: number;
  /** `ws://127.0.0.1:PORT`, for READY's `resume_gateway_url`. */
  url: () => string;
}

export interface FakeGateway {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  dispatch(event: string, data: unknown): void;
  /** Resolves once a client has identified or resumed (immediately if one is connected). */
  whenConnected(): Promise<void>;
  /** Closes the client's socket with 4000 so that it resumes; optionally replays from an earlier sequence. */
  dropConnection(options?: { replaySince?: number }): Promise<void>;
  /** The sequence number of the last dispatch of the current session. */
  readonly lastSequence: number;
  /** How many IDENTIFY and RESUME frames arrived. */
  readonly counts: { identify: number; resume: number; heartbeat: number };
  /** The `d` of the last IDENTIFY (token removed). */
  readonly lastIdentify: Record<string, unknown> | undefined;
  close(): Promise<void>;
}

type Dispatch = { s: number; t: string; d: unknown };

/** The `d` of an IDENTIFY or RESUME frame, as far as the fake reads it. */
type HandshakeData = { token?: unknown; session_id?: unknown; seq?: unknown } | undefined;

function send(socket: WebSocket, payload: unknown): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
}

/** Numbers a dispatch in its session and keeps it for replay. */
function record(session: Session, t: string, d: unknown): Dispatch {
  session.sequence += 1;
  const event = { s: session.sequence, t, d };
  session.log.push(event);
  return event;
}

/** IDENTIFY: a new session, READY and one GUILD_CREATE per guild; undefined (socket closed) for a wrong token. */
function identifySession(state: FakeDiscordState, sessions: Map<string, Session>, socket: WebSocket, d: HandshakeData, resumeUrl: () => string): Session | undefined {
  if (d?.token !== state.token) {
    socket.close(4004, 'Authentication failed');
    return undefined;
  }
  const session: Session = { id: snowflake(), sequence: 0, log: [], socket: undefined };
  sessions.set(session.id, session);
  const ready = record(session, 'READY', {
    v: 10,
    user: state.botUser,
    session_id: session.id,
    resume_gateway_url: resumeUrl(),
    guilds: state.guilds.map((guild) => ({ id: guild.id, unavailable: true })),
    shard: [0, 1],
    application: { id: state.applicationId, flags: 0 },
  });
  send(socket, { op: 0, ...ready });
  for (const { id } of state.guilds) {
    const guild = record(session, 'GUILD_CREATE', state.guildJson(id));
    send(socket, { op: 0, ...guild });
  }
  return session;
}

/** RESUME: replays what the client missed, then RESUMED; undefined (INVALID_SESSION sent) when it cannot resume. */
function resumeSession(state: FakeDiscordState, sessions: Map<string, Session>, socket: WebSocket, d: HandshakeData): Session | undefined {
  const session = sessions.get(String(d?.session_id));
  if (!session || d?.token !== state.token) {
    send(socket, { op: 9, d: false });
    return undefined;
  }
  const since = session.forcedReplaySince ?? Number(d?.seq ?? 0);
  delete session.forcedReplaySince;
  for (const event of session.log.filter((entry) => entry.s > since)) send(socket, { op: 0, ...event });
  send(socket, { op: 0, ...record(session, 'RESUMED', {}) });
  return session;
}

/** Closes every client with 1001, terminating those that do not answer within a second. */
async function closeClients(wss: WebSocketServer): Promise<void> {
  const open = [...wss.clients];
  await Promise.all(
    open.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === socket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            socket.terminate();
            resolve();
          }, 1000);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.close(1001, 'Fake shutting down');
        }),
    ),
  );
}

export function createFakeGateway(state: FakeDiscordState, options: FakeGatewayOptions): FakeGateway {
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new Map<string, Session>();
  let current: Session | undefined;
  let waiters: Array<() => void> = [];
  const counts = { identify: 0, resume: 0, heartbeat: 0 };
  let lastIdentify: Record<string, unknown> | undefined;

  const connected = (session: Session, socket: WebSocket): void => {
    session.socket = socket;
    current = session;
    const pending = waiters;
    waiters = [];
    for (const resolve of pending) resolve();
  };

  const dispatch = (t: string, d: unknown): void => {
    if (!current) return;
    const event = record(current, t, d);
    if (current.socket) send(current.socket, { op: 0, ...event });
  };

  wss.on('connection', (socket) => {
    send(socket, { op: 10, d: { heartbeat_interval: options.heartbeatIntervalMs } });
    socket.on('message', (raw) => {
      let frame: { op: number; d: HandshakeData };
      try {
        frame = JSON.parse(String(raw));
      } catch {
        socket.close(4002, 'Decode error');
        return;
      }
      switch (frame.op) {
        case 1:
          counts.heartbeat += 1;
          send(socket, { op: 11 });
          break;
        case 2: {
          counts.identify += 1;
          const { token: _token, ...identify } = (frame.d ?? {}) as Record<string, unknown>;
          lastIdentify = identify;
          const session = identifySession(state, sessions, socket, frame.d, options.url);
          if (session) connected(session, socket);
          break;
        }
        case 6: {
          counts.resume += 1;
          const session = resumeSession(state, sessions, socket, frame.d);
          if (session) connected(session, socket);
          break;
        }
        default:
          break;
      }
    });
    socket.on('close', () => {
      for (const session of sessions.values()) if (session.socket === socket) session.socket = undefined;
    });
  });

  return {
    handleUpgrade(request, socket, head) {
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    },
    dispatch,
    whenConnected() {
      if (current?.socket) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async dropConnection(drop = {}) {
      const session = current;
      const socket = session?.socket;
      if (!session || !socket) return;
      if (drop.replaySince !== undefined) session.forcedReplaySince = drop.replaySince;
      session.socket = undefined;
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      // 4000 (unknown error) is one of the codes after which a client resumes.
      socket.close(4000, 'Fake drop');
      await closed;
    },
    get lastSequence() {
      return current?.sequence ?? 0;
    },
    counts,
    get lastIdentify() {
      return lastIdentify;
    },
    async close() {
      await closeClients(wss);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
