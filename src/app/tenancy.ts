/**
 * The tenancy parts (issue 14) made once for the bridge: the allow-lists as config, the gate
 * in front of every platform event, the records of conversation owners, share codes and
 * block makers, and the start-up migration of links made before owners existed.
 */
import { placeOfLink } from '../commands/bridge-share.js';
import type { BridgeConfig } from '../config/schema.js';
import type { ChatAdapter } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createPlaceGate, type PlaceGate, type TenancyConfig, tenancyWarnings } from '../core/tenancy.js';
import { BLOCK_MAKERS_KV, type BlockMaker, type BlockMakers, createBlockMakers } from '../store/block-makers.js';
import { assignMissingOwners, CONVERSATION_OWNERS_KV, type ConversationOwners, createConversationOwners, type OwnerRecord } from '../store/conversation-owners.js';
import type { Store } from '../store/index.js';
import { createShareCodes, SHARE_CODES_KV, type ShareCodeRecord, type ShareCodes } from '../store/share-codes.js';

export interface TenancyParts {
  tenancy: TenancyConfig;
  gate: PlaceGate;
  owners: ConversationOwners;
  shareCodes: ShareCodes;
  makers: BlockMakers;
}

export function tenancyConfigOf(config: Pick<BridgeConfig, 'slack' | 'discord'>): TenancyConfig {
  return { slackAllowedTeamIds: config.slack.allowedTeamIds, discordAllowedGuildIds: config.discord.allowedGuildIds };
}

export function createTenancyParts(config: Readonly<BridgeConfig>, deps: { store: Store; logger: Logger; now?: () => number }): TenancyParts {
  const { store } = deps;
  const tenancy = tenancyConfigOf(config);
  return {
    tenancy,
    gate: createPlaceGate(tenancy, deps.logger.child({ component: 'tenancy' })),
    owners: createConversationOwners(store.kv<OwnerRecord>(CONVERSATION_OWNERS_KV)),
    shareCodes: createShareCodes({ records: store.kv<ShareCodeRecord>(SHARE_CODES_KV), dedupe: store.dedupe, ...(deps.now ? { now: deps.now } : {}) }),
    makers: createBlockMakers(store.kv<BlockMaker>(BLOCK_MAKERS_KV)),
  };
}

/** The start-up warnings for platforms without an allow-list. */
export function warnAboutTenancy(tenancy: TenancyConfig, adapters: readonly ChatAdapter[], logger: Logger): void {
  for (const warning of tenancyWarnings(
    tenancy,
    adapters.map((adapter) => adapter.platform),
  ))
    logger.warn(warning);
}

/**
 * Links made before places and owners were recorded: each gets its channel's workspace or
 * guild (asked of the platform), then each conversation without an owner gets the place of
 * its earliest link. Idempotent; a channel the platform cannot place is left for next start.
 */
export async function migrateTenancy(deps: {
  store: Pick<Store, 'links'>;
  owners: ConversationOwners;
  adapters: readonly ChatAdapter[];
  logger: Logger;
}): Promise<{ placed: number; owned: number }> {
  const { store, logger } = deps;
  let placed = 0;
  for (const entry of await store.links.list()) {
    if (entry.link.placeId !== undefined) continue;
    const adapter = deps.adapters.find((candidate) => candidate.platform === entry.channel.platform);
    try {
      const placeId = await adapter?.placeOfChannel?.(entry.channel.channelId);
      if (placeId !== undefined && (await store.links.setPlace(entry.channel, placeId)) !== undefined) placed += 1;
    } catch (error) {
      logger.warn(
        { platform: entry.channel.platform, channelId: entry.channel.channelId, err: describeError(error) },
        'could not tell the workspace or server of a linked channel',
      );
    }
  }
  const owned = await assignMissingOwners(deps.owners, await store.links.list(), async (entry) => placeOfLink(entry));
  if (placed > 0 || owned > 0) logger.info({ placed, owned }, 'tenancy records added to links made before them');
  return { placed, owned };
}
