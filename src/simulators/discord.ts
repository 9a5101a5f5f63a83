/**
 * A fake Discord for tests and the sandbox: REST under `/api/v10` and the gateway over
 * WebSocket on one loopback HTTP server. The real discord.js Client talks to it unmodified
 * (`rest: { api: fake.apiUrl }`). No test-framework imports: this also runs as a simulator.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIAttachment, APIChannel, APIMessage, APIUser } from 'discord.js';
import { createFakeGateway, type FakeGateway } from './discord/gateway.js';
import { makeMember, snowflake } from './discord/objects.js';
import { handleRest } from './discord/rest.js';
import { FakeDiscordState, type FakeInteraction } from './discord/state.js';
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

export interface FakeUserMessage {
  channelId: string;
  content: string;
  /** Defaults to a human user. */
  author?: { id: string; username: string; bot?: boolean; globalName?: string; nick?: string };
  /** Post through this webhook (id and display name) instead of as a user. */
  webhook?: { id: string; username: string };
  attachments?: APIAttachment[];
}

export interface FakeInteractionInit {
  commandName: string;
  subcommand?: string;
  options?: Array<{ name: string; value: string }>;
  channelId: string;
  user?: { id: string; username: string; nick?: string };
  /** The member's computed permissions in that channel, as a decimal bitfield string. */
  permissions?: string;
  /** Reuse an interaction id: a replayed request (default: a new snowflake). */
  id?: string;
}

/** A press of a button on a message the fake holds (MESSAGE_COMPONENT, type 3). */
export interface FakeButtonClick {
  channelId: string;
  messageId: string;
  /** The button's custom_id; it must be on the message unless `forged`. */
  customId: string;
  /** Send a custom_id the message does not carry (a tampered client). */
  forged?: boolean;
  user?: { id: string; username: string; nick?: string };
  /** Reuse an interaction id: a replayed request (default: a new snowflake). */
  id?: string;
}

/** A submission of the modal a press was answered with (MODAL_SUBMIT, type 5). */
export interface FakeModalSubmit {
  /** The press whose type 9 response opened the modal. */
  from: FakeInteraction;
  text: string;
  user?: { id: string; username: string; nick?: string };
  id?: string;
}

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

  let port = 0;
  const gatewayUrl = (): string => `ws://127.0.0.1:${port}`;
  const gateway = createFakeGateway(state, { heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250, url: gatewayUrl });
  state.dispatch = (event, data) => gateway.dispatch(event, data);

  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith('/api/v10/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: '404: Not Found', code: 0 }));
      return;
    }
    handleRest(state, gatewayUrl(), req, res, options.faultPlan).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fake failure: ${String(error)}`, code: 0 }));
    });
  });
  server.on('upgrade', (request, socket, head) => gateway.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  /** INTERACTION_CREATE of a component (3) or modal (5) interaction, shaped as Discord's docs show it. */
  function dispatchInteraction(
    id: string | undefined,
    channelId: string,
    who: { id: string; username: string; nick?: string } | undefined,
    type: 3 | 5,
    data: Record<string, unknown>,
    message: APIMessage | undefined,
  ): FakeInteraction {
    const person = who ?? { id: '300000000000000001', username: 'alice' };
    const record: FakeInteraction = {
      id: id ?? snowflake(),
      token: `itoken-${snowflake()}`,
      channelId,
      callbacks: [],
      followUps: [],
      user: person,
      ...(message ? { message } : {}),
    };
    state.interactions.set(record.id, record);
    const user = state.user(person.id, person.username);
    const channel = state.channels.get(channelId);
    const guildId = state.guildOf(channelId);
    state.dispatch('INTERACTION_CREATE', {
      id: record.id,
      application_id: state.applicationId,
      type,
      token: record.token,
      version: 1,
      guild_id: guildId,
      channel_id: channelId,
      channel: channel ? { id: channel.id, type: channel.type, ...('parent_id' in channel ? { parent_id: channel.parent_id } : {}) } : undefined,
      member: makeMember(user, { permissions: '0', ...(person.nick ? { nick: person.nick } : {}) }),
      app_permissions: '1071698660929',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      data,
      ...(message ? { message } : {}),
    });
    return record;
  }

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    get gatewayUrl() {
      return gatewayUrl();
    },
    state,
    gateway,
    sendMessage(init) {
      if (init.webhook) {
        const author: APIUser = { id: init.webhook.id, username: init.webhook.username, discriminator: '0000', global_name: null, avatar: null, bot: true };
        return state.createMessage({ channelId: init.channelId, author, content: init.content, webhookId: init.webhook.id, attachments: init.attachments ?? [] });
      }
      const who = init.author ?? { id: '300000000000000001', username: 'alice' };
      const author = state.user(who.id, who.username, { bot: who.bot ?? false, ...(who.globalName ? { globalName: who.globalName } : {}) });
      const member = makeMember(author, who.nick ? { nick: who.nick } : {});
      delete (member as { user?: unknown }).user;
      return state.createMessage({ channelId: init.channelId, author, member, content: init.content, attachments: init.attachments ?? [] });
    },
    editMessage: (channelId, messageId, content) => state.editMessage(channelId, messageId, content),
    deleteMessage: (channelId, messageId) => state.deleteMessage(channelId, messageId),
    createThread: (parentId, name, fromMessageId, announce) => state.createThread(parentId, name, fromMessageId, announce),
    sendInteraction(init) {
      const record: FakeInteraction = { id: init.id ?? snowflake(), token: `itoken-${snowflake()}`, channelId: init.channelId, callbacks: [], followUps: [] };
      state.interactions.set(record.id, record);
      const who = init.user ?? { id: '300000000000000001', username: 'alice' };
      const user = state.user(who.id, who.username);
      const channel = state.channels.get(init.channelId);
      const guildId = state.guildOf(init.channelId);
      const values = (init.options ?? []).map((option) => ({ type: 3, name: option.name, value: option.value }));
      state.dispatch('INTERACTION_CREATE', {
        id: record.id,
        application_id: state.applicationId,
        type: 2,
        token: record.token,
        version: 1,
        guild_id: guildId,
        channel_id: init.channelId,
        channel: channel ? { id: channel.id, type: channel.type, ...('parent_id' in channel ? { parent_id: channel.parent_id } : {}) } : undefined,
        member: makeMember(user, { permissions: init.permissions ?? '0', ...(who.nick ? { nick: who.nick } : {}) }),
        app_permissions: '1071698660929',
        locale: 'en-US',
        guild_locale: 'en-US',
        entitlements: [],
        authorizing_integration_owners: { '0': guildId },
        context: 0,
        data: {
          id: snowflake(),
          name: init.commandName,
          type: 1,
          guild_id: guildId,
          options: init.subcommand ? [{ type: 1, name: init.subcommand, options: values }] : values,
        },
      });
      return record;
    },
    clickButton(init) {
      const message = state.findMessage(init.channelId, init.messageId);
      if (!message) return undefined;
      const buttons = (message.components ?? []).flatMap((row) => ('components' in row ? (row.components as Array<{ custom_id?: string }>) : []));
      if (!init.forged && !buttons.some((button) => button.custom_id === init.customId)) return undefined;
      return dispatchInteraction(init.id, init.channelId, init.user, 3, { custom_id: init.customId, component_type: 2 }, message);
    },
    submitModal(init) {
      const modal = init.from.callbacks.find((callback) => callback.type === 9)?.data as
        | { custom_id?: string; components?: Array<{ components?: Array<{ custom_id?: string }> }> }
        | undefined;
      if (!modal?.custom_id) throw new Error('fake Discord: that interaction was not answered with a modal');
      const inputs = (modal.components ?? []).map((row) => ({
        type: 1,
        components: (row.components ?? []).map((input) => ({ type: 4, custom_id: input.custom_id, value: init.text })),
      }));
      const message = init.from.message ? state.findMessage(init.from.channelId, init.from.message.id) : undefined;
      return dispatchInteraction(init.id, init.from.channelId, init.user ?? init.from.user, 5, { custom_id: modal.custom_id, components: inputs }, message);
    },
    rateLimit(rule) {
      state.rateLimits.push({ ...rule, remaining: rule.count ?? 1, retryAfterSeconds: rule.retryAfterSeconds ?? 0.05 });
    },
    hold(rule) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const hold = { ...rule, released };
      state.holds.push(hold);
      return () => {
        const index = state.holds.indexOf(hold);
        if (index >= 0) state.holds.splice(index, 1);
        release();
      };
    },
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
