/**
 * A fake Slack on 127.0.0.1 for the real Bolt App: the Web API under `/api/`, response_url
 * endpoints under `/response/`, and a Socket Mode websocket under `/link/`. It can deliver
 * events and slash commands to the app over Socket Mode or as signed HTTP requests to the
 * app's `/slack/events`, and it records everything it receives in `state`.
 *
 * No test-framework imports: the same fake serves the e2e tests and the sandbox simulator.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FaultPlan } from './fault-plan.js';
import { routeHttp } from './slack/http-routes.js';
import {
  assistantThreadEvent,
  type ButtonClickInput,
  blockActionsPayload,
  eventCallback,
  type SlashCommandInput,
  slashCommandBody,
  type UserMessageInput,
  userMessageEvent,
  userMessageRecord,
  viewSubmissionPayload,
} from './slack/payloads.js';
import { acceptSocket, closeSockets, type DeliveryType, postSigned, socketEnvelope } from './slack/socket-mode.js';
import { type FakeAssistantThread, type FakeSlackAck, type FakeSlackChannel, FakeSlackState, type FakeSlackUser } from './slack/state.js';
import type { RateLimitPlan, WebApiIdentity } from './slack/web-api.js';

export type { ButtonClickInput, FakeAssistantThread, FakeSlackAck, FakeSlackChannel, FakeSlackUser, SlashCommandInput };

/** A side-pane thread a person opened: where it lives, and the event Slack sends about it. */
export interface OpenedPane {
  channel: string;
  threadTs: string;
  /** `assistant_thread_started`, to hand to `deliverEvent`. */
  event: Record<string, unknown>;
}
export { FakeSlackState };

export interface FakeSlackOptions {
  botToken: string;
  appToken?: string;
  signingSecret?: string;
  teamId?: string;
  appId?: string;
  botUserId?: string;
  botId?: string;
  users?: FakeSlackUser[];
  channels?: FakeSlackChannel[];
  /** The fault matrix's plan: posts, updates, deletes and history reads it names fail. */
  faultPlan?: FaultPlan;
}

export interface DeliveryOptions {
  /** Socket Mode (default when a client is connected) or a signed POST to `httpUrl`. */
  via?: 'socket' | 'http';
  /** The app's events URL for HTTP delivery (defaults to the one set with `setAppUrl`). */
  httpUrl?: string;
  /** HTTP: sign with a wrong secret. */
  forgeSignature?: boolean;
  /** HTTP: sign with a timestamp this many seconds in the past (Bolt refuses > 300). */
  timestampAgeSeconds?: number;
  /** Mark the delivery as Slack's n-th retry (`x-slack-retry-num` / `retry_attempt`). */
  retryNum?: number;
  retryReason?: string;
  /** Socket Mode: resolve once the app acks (default true). */
  waitForAck?: boolean;
  /** Events: the Events API `event_id` (generated when absent). */
  eventId?: string;
  /** Deliver as from another workspace (`team_id`), e.g. one not on the app's allow-list. */
  teamId?: string;
  /** Commands: reuse a `trigger_id`, as a replayed request does (generated when absent). */
  triggerId?: string;
}

export interface DeliveryResult {
  /** HTTP delivery: the app's response. */
  status?: number;
  body?: string;
  /** Socket Mode delivery: the envelope and, when awaited, its ack. */
  envelopeId?: string;
  ack?: FakeSlackAck;
  /** Slash commands: the id under which posts to this command's response_url are recorded (`state.responses[].id`). */
  responseId?: string;
}

export interface FakeSlack {
  /** Web API base for `clientOptions.slackApiUrl`, with its trailing slash. */
  readonly apiUrl: string;
  readonly baseUrl: string;
  readonly state: FakeSlackState;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  /** Where HTTP deliveries go by default (the app's `/slack/events`). */
  setAppUrl(url: string): void;
  /** Resolves when a Socket Mode client has received its hello. */
  waitForSocket(): Promise<void>;
  /** Socket Mode connections open now (one per replica of the app). */
  socketCount(): number;
  /**
   * Sends one raw frame to every open Socket Mode connection, as Slack would: a `disconnect`
   * (`{type:'disconnect', reason:'link_disabled'}`), or an envelope of any shape, even a broken one.
   */
  sendFrame(frame: Record<string, unknown>): void;
  /** Answers the next `times` calls to `method` with 429 and `Retry-After`. */
  rateLimit(method: string, retryAfterSeconds: number, times?: number): void;
  /** Lets `skip` calls to `method` pass, then answers the next `times` with HTTP `status` (a 5xx). */
  serverError(method: string, options?: { status?: number; skip?: number; times?: number }): void;
  /** Deletes a channel: from now on every call naming it answers `channel_not_found`. */
  deleteChannel(channelId: string): void;
  /** Records a message a person (or another bot) wrote and returns its `message` event. */
  /** `channelType`: `channel` (default), `group` (private channel), `im`, `mpim`. */
  userMessage(input: UserMessageInput): Record<string, unknown>;
  /**
   * A person opens Slack's AI side pane (or starts a new chat in it): their DM with the app
   * exists, Slack makes the thread's root (`assistant_app_thread`) and sends `assistant_thread_started`.
   */
  openAssistantThread(input: { userId: string; contextChannel?: string }): OpenedPane;
  /** The person looks at another channel while the pane is open: `assistant_thread_context_changed`. */
  assistantContextChanged(pane: { channel: string; threadTs: string }, contextChannel: string): Record<string, unknown>;
  /** The person writes (or picks a suggested prompt) in a pane thread: a `message.im` event in that thread. */
  paneMessage(pane: { channel: string; threadTs: string }, userId: string, text: string): Record<string, unknown>;
  deliverEvent(event: Record<string, unknown>, options?: DeliveryOptions): Promise<DeliveryResult>;
  deliverCommand(input: SlashCommandInput, options?: DeliveryOptions): Promise<DeliveryResult>;
  /**
   * Clicks a button of a message the fake holds: delivers `block_actions` (its value read
   * from the message's blocks). `triggerId` reuses one (a replayed request). `responseId`
   * names where posts to its response_url are recorded. Undefined `payload` when the
   * message has no such button.
   */
  clickButton(input: ButtonClickInput, options?: DeliveryOptions): Promise<DeliveryResult & { triggerId: string; payload?: Record<string, unknown> }>;
  /** Submits a modal the app opened (`state.views`), its text box filled with `text`: delivers `view_submission`. */
  submitView(viewId: string, text: string, options?: DeliveryOptions): Promise<DeliveryResult & { payload: Record<string, unknown> }>;
  close(): Promise<void>;
}

const SOCKET_PATH = '/link/';

export async function createFakeSlack(options: FakeSlackOptions): Promise<FakeSlack> {
  const state = new FakeSlackState();
  for (const user of options.users ?? []) state.users.set(user.id, user);
  for (const channel of options.channels ?? []) state.channels.set(channel.id, channel);
  const rateLimits: RateLimitPlan = new Map();
  const sockets = new Set<WebSocket>();
  let port = 0;
  let appUrl: string | undefined;
  let counter = 0;
  let nextSocket = 0;

  const identity: WebApiIdentity = {
    botToken: options.botToken,
    appToken: options.appToken,
    teamId: options.teamId ?? 'T0FAKE',
    botUserId: options.botUserId ?? 'UBRIDGE',
    botId: options.botId ?? 'BBRIDGE',
    appId: options.appId ?? 'AFAKE',
    socketUrl: () => `ws://127.0.0.1:${port}${SOCKET_PATH}?ticket=${++counter}`,
  };

  const server = createServer((req, res) => {
    void routeHttp(req, res, state, identity, rateLimits, options.faultPlan).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith(SOCKET_PATH)) {
      socket.destroy();
      return;
    }
    acceptSocket(wss, req, socket, head, sockets, state, identity.appId);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  async function deliver(type: DeliveryType, payload: Record<string, unknown>, form: string, delivery: DeliveryOptions): Promise<DeliveryResult> {
    const via = delivery.via ?? (sockets.size > 0 ? 'socket' : 'http');
    if (via === 'socket') {
      // Slack hands each envelope to one of the app's open connections (replicas): round robin.
      const open = [...sockets];
      const ws = open[nextSocket++ % Math.max(1, open.length)];
      if (!ws) throw new Error('fake Slack: no Socket Mode client connected');
      const envelopeId = `env-${++counter}`;
      ws.send(JSON.stringify(socketEnvelope(envelopeId, type, payload, delivery)));
      if (delivery.waitForAck === false) return { envelopeId };
      const ack = await state.waitFor(() => state.acks.find((candidate) => candidate.envelopeId === envelopeId), `ack of ${envelopeId}`);
      return { envelopeId, ack };
    }
    const target = delivery.httpUrl ?? appUrl;
    if (!target) throw new Error('fake Slack: no app URL for HTTP delivery (call setAppUrl)');
    return postSigned(target, type, payload, form, delivery, options.signingSecret ?? '');
  }

  return {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    state,
    botUserId: identity.botUserId,
    botId: identity.botId,
    teamId: identity.teamId,
    setAppUrl(url) {
      appUrl = url;
    },
    socketCount: () => sockets.size,
    sendFrame(frame) {
      for (const ws of sockets) ws.send(JSON.stringify(frame));
    },
    async waitForSocket() {
      await state.waitFor(() => sockets.size > 0, 'a Socket Mode connection');
    },
    deleteChannel(channelId) {
      state.channels.delete(channelId);
      state.deletedChannels.add(channelId);
    },
    rateLimit(method, retryAfterSeconds, times = 1) {
      rateLimits.set(method, { retryAfterSeconds, times });
    },
    serverError(method, { status = 503, skip = 0, times = 1 } = {}) {
      rateLimits.set(method, { retryAfterSeconds: 0, times, skip, status });
    },
    userMessage(input) {
      const ts = state.nextTs();
      state.history(input.channel).push(userMessageRecord(input, ts));
      return userMessageEvent(input, ts);
    },
    openAssistantThread({ userId, contextChannel }) {
      const channel = `D${userId.replace(/^[UW]/, '')}`;
      if (!state.channels.has(channel)) state.channels.set(channel, { id: channel, name: userId, isIm: true });
      const threadTs = state.nextTs();
      state.history(channel).push({ ts: threadTs, text: 'New chat', user: userId, subtype: 'assistant_app_thread', threadTs, reactions: [] });
      const thread: FakeAssistantThread = { channel, threadTs, userId, ...(contextChannel ? { contextChannel } : {}) };
      state.assistantThreads.set(`${channel}:${threadTs}`, thread);
      state.emit('change');
      return { channel, threadTs, event: assistantThreadEvent('assistant_thread_started', thread, identity.teamId, state.nextTs()) };
    },
    assistantContextChanged(pane, contextChannel) {
      const thread = state.assistantThread(pane.channel, pane.threadTs);
      if (!thread) throw new Error(`fake Slack: no side-pane thread ${pane.channel}:${pane.threadTs}`);
      thread.contextChannel = contextChannel;
      return assistantThreadEvent('assistant_thread_context_changed', thread, identity.teamId, state.nextTs());
    },
    paneMessage(pane, userId, text) {
      const ts = state.nextTs();
      const input = { channel: pane.channel, user: userId, text, threadTs: pane.threadTs, channelType: 'im' };
      state.history(pane.channel).push(userMessageRecord(input, ts));
      state.emit('change');
      return userMessageEvent(input, ts);
    },
    deliverEvent(event, delivery = {}) {
      const payload = eventCallback(event, {
        ...identity,
        ...(delivery.teamId ? { teamId: delivery.teamId } : {}),
        eventId: delivery.eventId ?? `Ev${String(++counter).padStart(8, '0')}`,
      });
      return deliver('events_api', payload, '', delivery);
    },
    deliverCommand(input, delivery = {}) {
      const id = `cmd-${++counter}`;
      // Slack's trigger ids are unique across workspaces and time (`13345224609.738474920.8088…`), so two fakes never repeat one.
      const body = slashCommandBody(input, {
        ...identity,
        ...(delivery.teamId ? { teamId: delivery.teamId } : {}),
        responseUrl: `${baseUrl}/response/${id}`,
        triggerId: delivery.triggerId ?? `${Date.now()}.${counter}.${randomBytes(8).toString('hex')}`,
      });
      return deliver('slash_commands', body, new URLSearchParams(body).toString(), delivery).then((result) => ({ ...result, responseId: id }));
    },
    async clickButton(input, delivery = {}) {
      const id = `act-${++counter}`;
      const triggerId = delivery.triggerId ?? `${Date.now()}.${counter}.${randomBytes(8).toString('hex')}`;
      const message = state.findMessage(input.channel, input.messageTs);
      const teamId = delivery.teamId ?? identity.teamId;
      const payload = message
        ? blockActionsPayload(input, message, {
            teamId,
            userTeamId: state.users.get(input.userId)?.teamId ?? teamId,
            appId: identity.appId,
            triggerId,
            responseUrl: `${baseUrl}/response/${id}`,
          })
        : undefined;
      if (!payload) return { triggerId, responseId: id };
      state.triggers.set(triggerId, input.userId);
      const result = await deliver('interactive', payload, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), delivery);
      return { ...result, triggerId, responseId: id, payload };
    },
    async submitView(viewId, text, delivery = {}) {
      const opened = state.views.find((view) => view.id === viewId);
      if (!opened) throw new Error(`fake Slack: no view ${viewId} was opened`);
      const teamId = delivery.teamId ?? identity.teamId;
      const payload = viewSubmissionPayload(opened, text, {
        teamId,
        userTeamId: state.users.get(opened.userId)?.teamId ?? teamId,
        appId: identity.appId,
        triggerId: delivery.triggerId ?? `${Date.now()}.${++counter}.${randomBytes(8).toString('hex')}`,
        userId: opened.userId,
        botId: identity.botId,
      });
      const result = await deliver('interactive', payload, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), delivery);
      return { ...result, payload };
    },
    async close() {
      await closeSockets(sockets);
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
