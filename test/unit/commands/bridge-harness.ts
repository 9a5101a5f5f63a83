/**
 * `/bridge` (with `/block`, which pauses and resumes links) against the real Fluxra client
 * on the fake Fluxra, a real store (SQLite in a temporary directory), through the real
 * router. The e2e tests build the same router and put the real platform adapters in front.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBlockCommand } from '../../../src/commands/block.js';
import { createBridgeCommand } from '../../../src/commands/bridge.js';
import { LINK_STATUS_KV } from '../../../src/commands/bridge-link-status.js';
import { channelLinksFromStore } from '../../../src/commands/channel-links.js';
import { createPermissions } from '../../../src/commands/permissions.js';
import { type CommandRouter, createCommandRouter } from '../../../src/commands/router.js';
import type { CommandHandler } from '../../../src/commands/types.js';
import type { ChannelRef, PlatformName } from '../../../src/core/chat.js';
import { type Logger, silentLogger } from '../../../src/core/logger.js';
import { channelDeadLetters } from '../../../src/delivery/sections.js';
import type { FakeFluxraOptions } from '../../../src/simulators/fluxra.js';
import { createStore, type Store } from '../../../src/store/index.js';
import { ADMIN, type FluxraBackend, startFluxraBackend } from './fluxra-harness.js';
import { type CapturedLog, captureLogger, createRecordingAdapter, invocation } from './helpers.js';

export { ADMIN };
/** The Discord user on the allow-list of the harness router. */
export const DISCORD_ADMIN = '300000000000000001';
export const SLACK_CHANNEL: ChannelRef = { platform: 'slack', channelId: 'C0GENERAL' };
export const DISCORD_CHANNEL: ChannelRef = { platform: 'discord', channelId: '200000000000000001' };

export interface TempStore {
  store: Store;
  close(): Promise<void>;
}

/** A real SQLite store in a fresh temporary directory. */
export async function openTempStore(): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-command-'));
  const store = await createStore({ path: join(dir, 'bridge.db') }, { logger: silentLogger() });
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The router with `/block` and `/bridge` wired as the composition root wires them:
 * one store, one links view for both, one `onLinksChanged` for both.
 */
export function createLinkRouter(options: {
  backend: FluxraBackend;
  store: Store;
  logger: Logger;
  onLinksChanged?: (channels: ChannelRef[]) => void;
  discordAllowed?: string[];
}): CommandRouter {
  const { backend, store } = options;
  const channelLinks = channelLinksFromStore(store.links);
  const changed = options.onLinksChanged ? { onLinksChanged: options.onLinksChanged } : {};
  return createCommandRouter({
    handlers: [
      createBlockCommand({ name: 'block', fluxra: backend.client, channelLinks, linkPauses: channelLinks, ...changed }) as CommandHandler<unknown>,
      createBridgeCommand({
        name: 'bridge',
        blockCommandName: 'block',
        agentId: backend.bridge.agentId,
        fluxra: backend.client,
        links: store.links,
        cursors: store.cursors,
        linkStatus: store.kv(LINK_STATUS_KV),
        deadLettersOf: (channel) => channelDeadLetters(store.deadLetters, channel),
        ...changed,
      }) as CommandHandler<unknown>,
    ],
    permissions: createPermissions({ slackAllowedUserIds: [ADMIN], discordAllowedUserIds: options.discordAllowed ?? [DISCORD_ADMIN], allowPrivilegedUsers: true }),
    logger: options.logger,
  });
}

export interface BridgeHarness extends FluxraBackend {
  store: Store;
  router: CommandRouter;
  log: CapturedLog;
  /** Every `onLinksChanged` call, in order. */
  changes: ChannelRef[][];
  /** Runs `/<command> <text>` (default `/bridge`) as an allowed user in `channel` (default the Slack one). */
  run(text: string | string[], as?: { command?: string; channel?: ChannelRef; userId?: string; privileged?: boolean }): Promise<string>;
  /** A conversation the bridge's agent is a member of. */
  conversation(): string;
}

/** `onLinksChanged`: what the mirror's wake-up does, after the harness has recorded the call. */
export async function startBridgeHarness(options: { fake?: FakeFluxraOptions; onLinksChanged?: (channels: ChannelRef[]) => void } = {}): Promise<BridgeHarness> {
  const backend = await startFluxraBackend(options);
  const temp = await openTempStore();
  const log = captureLogger();
  const changes: ChannelRef[][] = [];
  const onLinksChanged = (channels: ChannelRef[]): void => {
    changes.push(channels);
    options.onLinksChanged?.(channels);
  };
  const router = createLinkRouter({ backend, store: temp.store, logger: log.logger, onLinksChanged });
  const defaultUser: Record<PlatformName, string> = { slack: ADMIN, discord: DISCORD_ADMIN };
  return {
    ...backend,
    store: temp.store,
    router,
    log,
    changes,
    async run(text, as = {}) {
      const channel = as.channel ?? SLACK_CHANNEL;
      const adapter = createRecordingAdapter(channel.platform);
      const inv = invocation({
        ...(Array.isArray(text) ? { args: text } : { text }),
        command: as.command ?? 'bridge',
        platform: channel.platform,
        channelId: channel.channelId,
        userId: as.userId ?? defaultUser[channel.platform],
        privileged: as.privileged ?? false,
      });
      await router.handle(inv, adapter);
      return adapter.onlyReply();
    },
    conversation() {
      return backend.fake.createConversation({ creatorId: backend.bridge.agentId }).conversationId;
    },
    async close() {
      await backend.close();
      await temp.close();
    },
  };
}
