/**
 * `/block` against the real Fluxra client and the real fake Fluxra server on loopback,
 * through the real router: what a person types goes in, what the fake received and what
 * the person was answered come out.
 */
import { Agent } from 'undici';
import { createBlockCommand, type FluxraBlocksApi } from '../../../src/commands/block.js';
import type { ChannelLinkLookup } from '../../../src/commands/channel-links.js';
import { createPermissions } from '../../../src/commands/permissions.js';
import { type CommandRouter, createCommandRouter } from '../../../src/commands/router.js';
import type { PlatformName } from '../../../src/core/chat.js';
import type { Logger } from '../../../src/core/logger.js';
import { createFluxraClient, type FluxraClient } from '../../../src/services/fluxra/index.js';
import { createFakeFluxra, type FakeAgentCredentials, type FakeFluxra, type FakeFluxraOptions } from '../../../src/simulators/fluxra.js';
import { type CapturedLog, captureLogger, createRecordingAdapter, invocation } from './helpers.js';

/** A fixed clock for the fake, so that `created_at` (and the list's dates) are known. */
export const FAKE_NOW = Date.UTC(2026, 3, 3, 20, 0, 0);

export const ADMIN = 'U0ADMIN';

export interface BlockHarness extends FluxraBackend {
  router: CommandRouter;
  log: CapturedLog;
  /** Runs `/block <text>` as an allowed Slack user and returns the one answer. */
  run(text: string | string[], as?: { userId?: string; privileged?: boolean; platform?: PlatformName }): Promise<string>;
}

export interface FluxraBackend {
  fake: FakeFluxra;
  /** The bridge's own agent on the fake, whose API key the client uses. */
  bridge: FakeAgentCredentials;
  client: FluxraClient;
  /** Requests that reached the fake for the Blocks routes (token exchanges left out). */
  blockRequests(): Array<{ method: string; path: string; query: Record<string, string>; body: unknown }>;
  close(): Promise<void>;
}

/** The fake Fluxra and a real client pointed at it, as the composition root builds it. */
export async function startFluxraBackend(options: { fake?: FakeFluxraOptions; apiKey?: string; requestTimeoutMs?: number } = {}): Promise<FluxraBackend> {
  const fake = await createFakeFluxra({ now: () => FAKE_NOW, ...options.fake });
  const bridge = fake.createAgent({ agentName: 'fluxra-bridge' });
  const dispatcher = new Agent({ connections: 4 });
  const client = createFluxraClient({
    baseUrl: fake.url,
    agentId: bridge.agentId,
    apiKey: options.apiKey ?? bridge.apiKey,
    dispatcher,
    requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
    tokenLifetimeFallbackSeconds: 900,
    renewBeforeExpirySeconds: 60,
    // One attempt per call, and a 429 surfaces at once: each test sees one answer per fault.
    maxRetries: 0,
    maxRetryWaitMs: 100,
    retryBackoffMs: 5,
    rateLimitBackoffMs: 5,
  });
  return {
    fake,
    bridge,
    client,
    blockRequests: () =>
      fake.state.requests
        .filter((r) => r.route === 'createBlock' || r.route === 'listBlocks' || r.route === 'deleteBlock')
        .map((r) => ({ method: r.method, path: r.path, query: r.query, body: r.body })),
    async close() {
      await dispatcher.destroy();
      await fake.close();
    },
  };
}

/** The router with `/block` only, allowing `ADMIN` on Slack and `discordAllowed` on Discord. */
export function createBlockRouter(options: { fluxra: FluxraBlocksApi; logger: Logger; channelLinks?: ChannelLinkLookup; discordAllowed?: string[]; name?: string }): CommandRouter {
  return createCommandRouter({
    handlers: [createBlockCommand({ name: options.name ?? 'block', fluxra: options.fluxra, ...(options.channelLinks ? { channelLinks: options.channelLinks } : {}) })],
    permissions: createPermissions({ slackAllowedUserIds: [ADMIN], discordAllowedUserIds: options.discordAllowed ?? [], allowPrivilegedUsers: true }),
    logger: options.logger,
  });
}

export async function startBlockHarness(
  options: { fake?: FakeFluxraOptions; channelLinks?: ChannelLinkLookup; apiKey?: string; requestTimeoutMs?: number } = {},
): Promise<BlockHarness> {
  const backend = await startFluxraBackend(options);
  const log = captureLogger();
  const router = createBlockRouter({ fluxra: backend.client, logger: log.logger, ...(options.channelLinks ? { channelLinks: options.channelLinks } : {}) });
  return {
    ...backend,
    router,
    log,
    async run(text, as = {}) {
      const adapter = createRecordingAdapter(as.platform ?? 'slack');
      const inv = invocation({
        ...(Array.isArray(text) ? { args: text } : { text }),
        userId: as.userId ?? ADMIN,
        privileged: as.privileged ?? false,
        platform: as.platform ?? 'slack',
      });
      await router.handle(inv, adapter);
      return adapter.onlyReply();
    },
  };
}
