/**
 * A fake Slack on 127.0.0.1 for the real Bolt App: the Web API under `/api/`, response_url
 * endpoints under `/response/`, and a Socket Mode websocket under `/link/`. It can deliver
 * events and slash commands to the app over Socket Mode or as signed HTTP requests to the
 * app's `/slack/events`, and it records everything it receives in `state`.
 *
 * No test-framework imports: the same fake serves the e2e tests and the sandbox simulator.
 */
import type { WebSocket } from 'ws';
import type { FaultPlan } from './fault-plan.js';
import { clickButton, deliverCommand, deliverEvent, submitView } from './slack/app-deliveries.js';
import { type DeliveryOptions, type DeliveryResult, Sequence, type SlackLink } from './slack/delivery.js';
import type { ButtonClickInput, SlashCommandInput, UserMessageInput } from './slack/payloads.js';
import { SOCKET_PATH, startSlackServer } from './slack/server.js';
import { type FakeAssistantThread, type FakeSlackAck, type FakeSlackChannel, FakeSlackState, type FakeSlackUser } from './slack/state.js';
import { assistantContextChanged, type OpenedPane, openAssistantThread, paneMessage, userMessage } from './slack/user-actions.js';
import type { RateLimitPlan, WebApiIdentity } from './slack/web-api.js';

export type { DeliveryOptions, DeliveryResult } from './slack/delivery.js';
export type { OpenedPane } from './slack/user-actions.js';
export type { ButtonClickInput, FakeAssistantThread, FakeSlackAck, FakeSlackChannel, FakeSlackUser, SlashCommandInput };
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

export async function createFakeSlack(options: FakeSlackOptions): Promise<FakeSlack> {
  const state = new FakeSlackState();
  for (const user of options.users ?? []) state.users.set(user.id, user);
  for (const channel of options.channels ?? []) state.channels.set(channel.id, channel);
  const rateLimits: RateLimitPlan = new Map();
  const sockets = new Set<WebSocket>();
  const ids = new Sequence();
  let port = 0;

  const identity: WebApiIdentity = {
    botToken: options.botToken,
    appToken: options.appToken,
    teamId: options.teamId ?? 'T0FAKE',
    botUserId: options.botUserId ?? 'UBRIDGE',
    botId: options.botId ?? 'BBRIDGE',
    appId: options.appId ?? 'AFAKE',
    socketUrl: () => `ws://127.0.0.1:${port}${SOCKET_PATH}?ticket=${ids.next()}`,
  };

  const server = await startSlackServer({ state, identity, sockets, rateLimits, faultPlan: options.faultPlan });
  port = server.port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const link: SlackLink = { state, identity, sockets, ids, baseUrl, signingSecret: options.signingSecret ?? '', appUrl: undefined, nextSocket: 0 };

  return {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    state,
    botUserId: identity.botUserId,
    botId: identity.botId,
    teamId: identity.teamId,
    setAppUrl(url) {
      link.appUrl = url;
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
    userMessage: (input) => userMessage(state, input),
    openAssistantThread: (input) => openAssistantThread(state, identity.teamId, input),
    assistantContextChanged: (pane, contextChannel) => assistantContextChanged(state, identity.teamId, pane, contextChannel),
    paneMessage: (pane, userId, text) => paneMessage(state, pane, userId, text),
    deliverEvent: (event, delivery) => deliverEvent(link, event, delivery),
    deliverCommand: (input, delivery) => deliverCommand(link, input, delivery),
    clickButton: (input, delivery) => clickButton(link, input, delivery),
    submitView: (viewId, text, delivery) => submitView(link, viewId, text, delivery),
    close: () => server.close(),
  };
}
