/**
 * The Fluxra Chat API client: one method per endpoint, no chat knowledge. Retries, the rate
 * budget and the 401 renewal live in `transport.ts`; the JWT in `token-cache.ts`; wire
 * mapping in `wire.ts`. Input that the server would refuse anyway (too long, too many
 * mentions) is refused here before anything is sent.
 */
import { ConfigError, UserInputError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { registerSecret } from '../../core/redact.js';
import { resolveFluxraRoutes } from './routes.js';
import { createTokenCache } from './token-cache.js';
import type { FluxraAnswer } from './transport.js';
import { createFluxraTransport, type FluxraCall } from './transport.js';
import { FLUXRA_MAX_CONTENT_LENGTH, FLUXRA_MAX_MENTIONS, type FluxraCallOptions, type FluxraClient, type FluxraClientOptions, type FluxraMessage } from './types.js';
import { type ReadContext, readApiKey, readBlock, readConversation, readHealth, readMessage, readPage, readRegistration, readSentMessage, readToken } from './wire.js';

// Re-exported so that callers can import the whole client contract from this one module.
export { FluxraApiError, isCredentialsRejected } from './errors.js';
export type {
  FluxraBlock,
  FluxraCallOptions,
  FluxraClient,
  FluxraClientOptions,
  FluxraConversation,
  FluxraMessage,
  FluxraMessagePage,
  FluxraSentMessage,
  FluxraToken,
} from './types.js';
export { FLUXRA_MAX_CONTENT_LENGTH, FLUXRA_MAX_MENTIONS } from './types.js';

const DEFAULTS = {
  maxRetries: 2,
  rateLimitBackoffMs: 2_000,
  retryBackoffMs: 250,
  maxRetryWaitMs: 30_000,
  maxPages: 100,
} as const;

function ctx(answer: FluxraAnswer): ReadContext {
  return { ...answer.context, status: answer.res.status };
}

function checkContent(content: string): void {
  if (typeof content !== 'string' || content.length === 0) {
    throw new UserInputError('The message is empty; Fluxra needs some text to send.', 'CONTENT_EMPTY');
  }
  if (content.length > FLUXRA_MAX_CONTENT_LENGTH) {
    throw new UserInputError(`The message is ${content.length} characters long; Fluxra accepts at most ${FLUXRA_MAX_CONTENT_LENGTH}.`, 'CONTENT_TOO_LONG');
  }
}

function checkMentions(mention: string[] | undefined): void {
  if (mention && mention.length > FLUXRA_MAX_MENTIONS) {
    throw new UserInputError(`The message mentions ${mention.length} agents; Fluxra accepts at most ${FLUXRA_MAX_MENTIONS}.`, 'TOO_MANY_MENTIONS');
  }
}

export function createFluxraClient(options: FluxraClientOptions): FluxraClient {
  const logger = options.logger ?? silentLogger();
  const now = options.now ?? Date.now;
  const routes = resolveFluxraRoutes(options.routes);
  const maxPages = options.maxPages ?? DEFAULTS.maxPages;
  registerSecret(options.apiKey);

  const tokens = createTokenCache({
    now,
    fallbackLifetimeMs: options.tokenLifetimeFallbackSeconds * 1000,
    renewBeforeMs: options.renewBeforeExpirySeconds * 1000,
    exchange: async () => {
      const { agentId, apiKey } = credentialsOf(options);
      // Repeating an exchange only yields another token, so it is safe to retry; a 401/403
      // is not retried (transport only renews on Bearer calls) and surfaces as is.
      const answer = await transport.call({
        route: 'token',
        auth: { kind: 'basic', user: agentId, secret: apiKey },
        json: { grant_type: 'client_credentials' },
        repeatable: true,
      });
      return readToken(answer.res.body, ctx(answer));
    },
  });

  const transport = createFluxraTransport(transportOptions(options, { routes, logger, now, tokens }));

  /** A Bearer call; `repeatable` follows the route's method so that config overrides stay safe. */
  function bearer(call: Omit<FluxraCall, 'auth' | 'repeatable' | 'priority' | 'signal'>, callOptions: FluxraCallOptions = {}, repeatable?: boolean) {
    const method = routes[call.route].method;
    return transport.call({
      ...call,
      auth: { kind: 'bearer' },
      repeatable: repeatable ?? (method === 'GET' || method === 'DELETE'),
      priority: callOptions.priority ?? 'interactive',
      ...(callOptions.signal ? { signal: callOptions.signal } : {}),
    });
  }

  async function listMessages(input: { conversationId: string; cursor?: string; limit?: number }, callOptions?: FluxraCallOptions) {
    const answer = await bearer({ route: 'listMessages', params: { conversation_id: input.conversationId }, query: { limit: input.limit, cursor: input.cursor } }, callOptions);
    const page = readPage(answer.res.body, ctx(answer), 'messages');
    const messages = page.items.map((item, index) => readMessage(item, ctx(answer), `messages[${index}]`));
    return { messages, cursor: page.cursor, hasMore: page.hasMore };
  }

  return {
    async health() {
      const answer = await transport.call({ route: 'health', auth: { kind: 'none' }, repeatable: true });
      return readHealth(answer.res.body, ctx(answer));
    },

    register: (input) => registerAgent(transport, input),
    createApiKey: (input) => createAgentApiKey(transport, input),

    exchangeToken: () => tokens.refresh(),
    validToken: () => tokens.valid(),

    async createConversation(input, callOptions) {
      const answer = await bearer({ route: 'createConversation', json: { type: input.type ?? 'group', name: input.name, member_ids: input.memberIds ?? [] } }, callOptions);
      return readConversation(answer.res.body, ctx(answer));
    },

    async sendMessage(input, callOptions) {
      // Built field by field so that a recipient can never travel with a conversation id.
      const json = {
        conversation_id: input.conversationId,
        ...checkedMessageFields(input),
        ...(input.inReplyTo ? { in_reply_to: input.inReplyTo } : {}),
      };
      const answer = await bearer({ route: 'sendMessage', json }, callOptions, false);
      return readSentMessage(answer.res.body, ctx(answer));
    },

    async sendDirectMessage(input, callOptions) {
      const json = { recipient_agent_id: input.recipientAgentId, ...checkedMessageFields(input) };
      const answer = await bearer({ route: 'sendMessage', json }, callOptions, false);
      return readSentMessage(answer.res.body, ctx(answer));
    },

    listMessages,

    readMessagesSince: (input, callOptions) => readSince(input.cursor, maxPages, (cursor) => listMessages({ ...input, ...(cursor === undefined ? {} : { cursor }) }, callOptions)),

    async editMessage(messageId, content, callOptions) {
      checkContent(content);
      const answer = await bearer({ route: 'editMessage', params: { message_id: messageId }, json: { content } }, callOptions);
      return readMessage(answer.res.body, ctx(answer));
    },

    async deleteMessage(messageId, callOptions) {
      await bearer({ route: 'deleteMessage', params: { message_id: messageId } }, callOptions);
    },

    async createBlock(input, callOptions) {
      const answer = await bearer({ route: 'createBlock', json: { type: input.type, target_id: input.targetId } }, callOptions);
      return readBlock(answer.res.body, ctx(answer));
    },

    listBlocks: (callOptions) =>
      everyPage(maxPages, async (cursor) => {
        const answer = await bearer({ route: 'listBlocks', query: { cursor } }, callOptions);
        const result = readPage(answer.res.body, ctx(answer), 'blocks');
        return { items: result.items.map((item, index) => readBlock(item, ctx(answer), `blocks[${index}]`)), cursor: result.cursor, hasMore: result.hasMore };
      }),

    async deleteBlock(blockId, callOptions) {
      await bearer({ route: 'deleteBlock', params: { block_id: blockId } }, callOptions);
    },
  };
}

type Transport = ReturnType<typeof createFluxraTransport>;

/** The transport's options: the client's, with their defaults (declared once, in DEFAULTS). */
function transportOptions(
  options: FluxraClientOptions,
  parts: Pick<Parameters<typeof createFluxraTransport>[0], 'routes' | 'logger' | 'now' | 'tokens'>,
): Parameters<typeof createFluxraTransport>[0] {
  return {
    ...parts,
    baseUrl: options.baseUrl,
    dispatcher: options.dispatcher,
    requestTimeoutMs: options.requestTimeoutMs,
    ...(options.budget ? { budget: options.budget } : {}),
    maxRetries: options.maxRetries ?? DEFAULTS.maxRetries,
    rateLimitBackoffMs: options.rateLimitBackoffMs ?? DEFAULTS.rateLimitBackoffMs,
    retryBackoffMs: options.retryBackoffMs ?? DEFAULTS.retryBackoffMs,
    maxRetryWaitMs: options.maxRetryWaitMs ?? DEFAULTS.maxRetryWaitMs,
  };
}

/** Registers a new agent (never repeated: a repeat could register a second one); its recovery key is a secret from now on. */
async function registerAgent(transport: Transport, input: Parameters<FluxraClient['register']>[0]): ReturnType<FluxraClient['register']> {
  const answer = await transport.call({
    route: 'register',
    auth: { kind: 'none' },
    json: { agent_name: input.agentName, email: input.email, metadata: input.metadata },
    repeatable: false,
  });
  const registration = readRegistration(answer.res.body, ctx(answer));
  registerSecret(registration.recoveryKey);
  return registration;
}

/** Creates an API key with the agent's recovery key; the new key is a secret from now on. */
async function createAgentApiKey(transport: Transport, input: Parameters<FluxraClient['createApiKey']>[0]): ReturnType<FluxraClient['createApiKey']> {
  registerSecret(input.recoveryKey);
  const answer = await transport.call({
    route: 'createApiKey',
    params: { agent_id: input.agentId },
    auth: { kind: 'basic', user: input.agentId, secret: input.recoveryKey },
    json: { name: input.name, scopes: input.scopes, expires_in_days: input.expiresInDays },
    repeatable: false,
  });
  const key = readApiKey(answer.res.body, ctx(answer));
  registerSecret(key.apiKey);
  return key;
}

/** The bridge agent's credentials, or a ConfigError naming what is missing. */
function credentialsOf(options: Pick<FluxraClientOptions, 'agentId' | 'apiKey'>): { agentId: string; apiKey: string } {
  const problems = [];
  if (!options.agentId) problems.push({ key: 'fluxra.agentId', found: 'nothing', expected: 'the bridge agent id (FLUXRA_AGENT_ID)' });
  if (!options.apiKey) problems.push({ key: 'fluxra.apiKey', found: 'nothing', expected: 'the bridge API key (FLUXRA_API_KEY)' });
  if (problems.length > 0 || !options.agentId || !options.apiKey) throw new ConfigError(problems);
  return { agentId: options.agentId, apiKey: options.apiKey };
}

/** New messages from `cursor` on, page after page (at most `maxPages`); a page without a cursor keeps the old resume point. */
async function readSince(
  start: string | undefined,
  maxPages: number,
  page: (cursor: string | undefined) => Promise<{ messages: FluxraMessage[]; cursor: string | undefined; hasMore: boolean }>,
): Promise<{ messages: FluxraMessage[]; cursor: string | undefined }> {
  const messages: FluxraMessage[] = [];
  let cursor = start;
  for (let n = 0; n < maxPages; n += 1) {
    const result = await page(cursor);
    messages.push(...result.messages);
    const previous = cursor;
    if (result.cursor !== undefined) cursor = result.cursor;
    if (!result.hasMore || result.cursor === previous) break;
  }
  return { messages, cursor };
}

/** Every item of a paged list, from the first page on (at most `maxPages`). */
async function everyPage<T>(maxPages: number, page: (cursor: string | undefined) => Promise<{ items: T[]; cursor: string | undefined; hasMore: boolean }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < maxPages; n += 1) {
    const result = await page(cursor);
    items.push(...result.items);
    if (!result.hasMore || result.cursor === cursor) break;
    cursor = result.cursor;
  }
  return items;
}

/** The fields both send routes share, checked (length, mentions) before any request. */
function checkedMessageFields(input: { content: string; type?: string; mention?: string[] }): Record<string, unknown> {
  checkContent(input.content);
  checkMentions(input.mention);
  return {
    content: input.content,
    type: input.type ?? 'text',
    ...(input.mention && input.mention.length > 0 ? { mention: input.mention } : {}),
  };
}
