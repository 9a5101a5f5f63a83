/**
 * Admitting agent turns against the quotas (rules in quota-rules.ts), on the store's shared
 * ledger so that every replica sees the same counts. A turn is admitted before anything is
 * persisted or sent to Blocks; its ticket travels with the request and the turn, and is
 * released when the turn ends. A ticket never released (a crash) stops counting as running
 * once a turn could no longer be running.
 */

import type { PlatformName } from '../core/chat.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AgentQuotaLedger } from '../store/index.js';
import { decideQuota, isSpentEntry, latestRefusal, QUOTA_WINDOW_MS, type QuotaEntry, type QuotaLimits, quotaRefusalText } from './quota-rules.js';

/** `sessions.quota` in the config. */
export interface AgentQuotaConfig {
  perPersonRunning: number;
  perPersonPerHour: number;
  perChannelRunning: number;
  perChannelPerHour: number;
}

/** What an admitted turn holds: where its entries are. Plain JSON (it is persisted with the request). */
export interface QuotaTicket {
  member: string;
  subjects: string[];
}

export type QuotaAdmission = { ok: true; ticket: QuotaTicket } | { ok: false; text: string };

export interface AgentQuota {
  /**
   * One more turn for this person in this channel? `requestId` makes the entry unique.
   * `holdsRunning: false` (a bound channel's message, which joins the channel's one session
   * and may wait for its running turn) counts towards the hourly quotas only.
   * `replaces`: the ticket of a running turn this follow-up interrupts (it ends when the new
   * one starts), so where that ticket counts, the number running does not grow.
   */
  admit(
    asker: { platform: PlatformName; userId: string; channelId: string; requestId: string },
    options?: { holdsRunning?: boolean; replaces?: QuotaTicket | undefined },
  ): Promise<QuotaAdmission>;
  /** The turn ended; never throws (a failed release only expires later). */
  release(ticket: QuotaTicket | undefined): Promise<void>;
}

/** More entries than any sane limit; the ledger is pruned as it is read. */
const MAX_ENTRIES = 2_000;

export function createAgentQuota(deps: { ledger: AgentQuotaLedger; config: AgentQuotaConfig; turnTimeoutMs: number; now: () => number; logger: Logger }): AgentQuota {
  const { ledger, config, now, logger } = deps;
  // A turn is reported timed out after turnTimeoutMs; the scheduler may notice a poll later.
  const maxRunMs = deps.turnTimeoutMs + 5 * 60_000;
  const ttlMs = Math.max(QUOTA_WINDOW_MS, maxRunMs) + 60_000;
  const limits: Record<'person' | 'channel', QuotaLimits> = {
    person: { running: config.perPersonRunning, perHour: config.perPersonPerHour },
    channel: { running: config.perChannelRunning, perHour: config.perChannelPerHour },
  };

  /**
   * The decision for one subject, counting only the entries that sort before ours; `replayOf`
   * names an earlier entry of the same request (a redelivered event), which stands instead.
   */
  async function check(subject: string, whose: 'person' | 'channel', member: string, requestId: string, at: number, replaces: QuotaTicket | undefined) {
    const before: QuotaEntry[] = [];
    for (const entry of await ledger.entries(subject, MAX_ENTRIES)) {
      if (entry.member >= member) break;
      if (entry.member.endsWith(`:${requestId}`)) return { replayOf: entry.member };
      const parsed = JSON.parse(entry.value) as QuotaEntry;
      if (isSpentEntry(parsed, at, maxRunMs)) await ledger.remove(subject, entry.member);
      else before.push(parsed);
    }
    const limit = limits[whose];
    const replacing = replaces?.subjects.includes(subject) === true;
    const decision = decideQuota(before, replacing ? { ...limit, running: limit.running + 1 } : limit, at, maxRunMs);
    return decision.ok ? {} : { refusal: { ...decision, whose } };
  }

  return {
    async admit(asker, options = {}) {
      const at = now();
      // Zero-padded time first, so that ledger order is admission order.
      const member = `${String(at).padStart(15, '0')}:${asker.requestId}`;
      const subjects = { person: `person:${asker.platform}:${asker.userId}`, channel: `channel:${asker.platform}:${asker.channelId}` };
      const value = JSON.stringify((options.holdsRunning === false ? { at, endedAt: at } : { at }) satisfies QuotaEntry);
      await Promise.all(Object.values(subjects).map((subject) => ledger.add(subject, member, value, ttlMs)));
      const replaces = options.replaces;
      const checks = await Promise.all([
        check(subjects.person, 'person', member, asker.requestId, at, replaces),
        check(subjects.channel, 'channel', member, asker.requestId, at, replaces),
      ]);
      const replayOf = checks.find((c) => c.replayOf !== undefined)?.replayOf;
      const refusal = latestRefusal(checks.flatMap((c) => (c.refusal ? [c.refusal] : [])));
      if (replayOf !== undefined || refusal) await Promise.all(Object.values(subjects).map((subject) => ledger.remove(subject, member)));
      // The same request again (a Slack retry, a gateway replay): it was admitted once, and counts once.
      if (replayOf !== undefined) return { ok: true, ticket: { member: replayOf, subjects: Object.values(subjects) } };
      if (refusal) {
        logger.info({ platform: asker.platform, quota: refusal.whose, reason: refusal.reason, freeAt: refusal.freeAt }, 'agent request over quota; not sent to Blocks');
        return { ok: false, text: quotaRefusalText(refusal, refusal.whose) };
      }
      return { ok: true, ticket: { member, subjects: Object.values(subjects) } };
    },
    async release(ticket) {
      if (!ticket) return;
      const at = Number(ticket.member.split(':')[0]);
      const value = JSON.stringify({ at, endedAt: now() } satisfies QuotaEntry);
      try {
        await Promise.all(ticket.subjects.map((subject) => ledger.update(subject, ticket.member, value)));
      } catch (error) {
        logger.warn({ err: describeError(error) }, 'could not release an agent quota ticket; it expires on its own');
      }
    },
  };
}
