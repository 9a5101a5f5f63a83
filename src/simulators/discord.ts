/**
 * A fake Discord for tests and the sandbox: REST under `/api/v10` and the gateway over
 * WebSocket on one loopback HTTP server. The real discord.js Client talks to it unmodified
 * (`rest: { api: fake.apiUrl }`). No test-framework imports: this also runs as a simulator.
 */
import type { APIChannel, APIMessage, APIUser } from 'discord.js';
import type { FakeGateway } from './discord/gateway.js';
import { clickButton, type FakeButtonClick, type FakeInteractionInit, type FakeModalSubmit, sendCommandInteraction, submitModal } from './discord/interactions.js';
import { snowflake } from './discord/objects.js';
import { startDiscordServer } from './discord/server.js';
import { FakeDiscordState, type FakeInteraction } from './discord/state.js';
import { addRateLimit, type FakeUserMessage, holdRequests, postUserMessage } from './discord/user-input.js';
import type { FaultPlan } from './fault-plan.js';

export type { FakeInteraction, FakeWebhook, RateLimitRule, RecordedCall } from './discord/state.js';
export { FakeDiscordState } from './discord/state.js';

export interface FakeDiscordOptions {
  token: string;
  applicationId?: string;
  guildId?: string;
  botUser?: { id: string; username: string };
  /** Text channels of the guild; `private`: @everyone is denied View Channel. */
  channels?: Array<{ id: string; name: string; private?: boolean }>;
  /** Threads that exist (and are active) when the bot connects. */
  threads?: Array<{ id: string; parentId: string; name: string }>;
  /** More guilds the bot is in (two tenants), each with its own text channels. */
  otherGuilds?: Array<{ id: string; name?: string; channels: Array<{ id: string; name: string }> }>;
  heartbeatIntervalMs?: number;
  /** The fault matrix's plan: channel posts, webhook posts, edits and history reads it names fail. */
  faultPlan?: FaultPlan;
}

export type { FakeButtonClick, FakeInteractionInit, FakeModalSubmit } from './discord/interactions.js';
export type { FakeUserMessage } from './discord/user-input.js';

export interface FakeDiscord {
  /** The REST base to give discord.js (`rest.api`): `http://127.0.0.1:PORT/api`. */
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly state: FakeDiscordState;
  readonly gateway: FakeGateway;
  /** A user (not bot) message, dispatched as MESSAGE_CREATE. */
  sendMessage(init: FakeUserMessage): APIMessage;
  editMessage(channelId: string, messageId: string, content: string): APIMessage | undefined;
  deleteMessage(channelId: string, messageId: string): boolean;
  /** Starts a thread; `announce: false` creates it without THREAD_CREATE (unknown to the client). */
  createThread(parentId: string, name: string, fromMessageId?: string, announce?: boolean): APIChannel;
  /** Dispatches INTERACTION_CREATE for a chat-input command; the record fills in as the bot answers. */
  sendInteraction(init: FakeInteractionInit): FakeInteraction;
  /** Dispatches INTERACTION_CREATE for a button press; undefined when the message has no such button. */
  clickButton(init: FakeButtonClick): FakeInteraction | undefined;
  /** Dispatches INTERACTION_CREATE for the submission of the modal `from` opened, its text input filled with `text`. */
  submitModal(init: FakeModalSubmit): FakeInteraction;
  /** Answers the next `count` requests matching `path` (after /api/v10) with 429. */
  rateLimit(rule: { method?: string; path: RegExp; count?: number; retryAfterSeconds?: number; global?: boolean }): void;
  /**
   * Stalls every request matching `path` (after /api/v10) until the returned function is
   * called: a slow or overloaded Discord. Requests already waiting then go in arrival order.
   */
  hold(rule: { method?: string; path: RegExp }): () => void;
  close(): Promise<void>;
}

export async function createFakeDiscord(options: FakeDiscordOptions): Promise<FakeDiscord> {
  const applicationId = options.applicationId ?? snowflake();
  const botUser: APIUser = {
    id: options.botUser?.id ?? applicationId,
    username: options.botUser?.username ?? 'fluxra-bridge',
    discriminator: '0',
    global_name: null,
    avatar: null,
    bot: true,
  };
  const state = new FakeDiscordState({
    token: options.token,
    applicationId,
    guildId: options.guildId ?? snowflake(),
    botUser,
    channels: options.channels ?? [{ id: snowflake(), name: 'general' }],
    threads: options.threads ?? [],
    ...(options.otherGuilds ? { otherGuilds: options.otherGuilds } : {}),
  });
  const server = await startDiscordServer(state, { heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250, faultPlan: options.faultPlan });

  return {
    apiUrl: `http://127.0.0.1:${server.port}/api`,
    get gatewayUrl() {
      return server.gatewayUrl();
    },
    state,
    gateway: server.gateway,
    sendMessage: (init) => postUserMessage(state, init),
    editMessage: (channelId, messageId, content) => state.editMessage(channelId, messageId, content),
    deleteMessage: (channelId, messageId) => state.deleteMessage(channelId, messageId),
    createThread: (parentId, name, fromMessageId, announce) => state.createThread(parentId, name, fromMessageId, announce),
    sendInteraction: (init) => sendCommandInteraction(state, init),
    clickButton: (init) => clickButton(state, init),
    submitModal: (init) => submitModal(state, init),
    rateLimit: (rule) => addRateLimit(state, rule),
    hold: (rule) => holdRequests(state, rule),
    close: () => server.close(),
  };
}
