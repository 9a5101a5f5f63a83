/**
 * Reads what ended up on every side of a mirror world (the fakes' channel histories and the
 * Fluxra conversation) and compares it with what was driven: each message must be at its
 * origin once (no echo back) and on every other linked side exactly once, thread replies in
 * the thread of their root's copy, and, per source channel, the copies in origin order at
 * each destination. Messages are recognised by their token.
 *
 * No test-framework imports: the benchmark counts lost and duplicated messages with it.
 */
import type { APIMessage } from 'discord.js';
import type { OriginMessage, Side } from './mirror-driver.js';
import type { LinkGroup, MirrorWorld } from './mirror-world.js';

const TOKEN = /\bmx[sdf]\d{5}\b/g;

/** One message found on a side. */
export interface Found {
  side: Side;
  group: number;
  token: string | undefined;
  /** Slack ts, Discord message id, Fluxra message id. */
  id: string;
  /** Orders messages of one side of one group (Slack ts, Discord snowflake, Fluxra seq). */
  order: bigint;
  /** The thread it is in: Slack thread_ts, Discord thread id (= its root's id), Fluxra in_reply_to. */
  thread: string | undefined;
  text: string;
}

export interface Problem {
  kind: 'missing' | 'duplicated' | 'echo' | 'unknown' | 'misthreaded' | 'order';
  token: string | undefined;
  side: Side;
  detail: string;
}

export interface CheckReport {
  /** Copies expected (each message × the other linked sides of its group). */
  expected: number;
  delivered: number;
  missing: number;
  duplicated: number;
  echoes: number;
  /** Messages on a side with no token of this run (the bridge made them up). */
  unknown: number;
  misthreaded: number;
  orderViolations: number;
  problems: Problem[];
  /** Where each token was found, per side. */
  found: Map<string, Map<Side, Found[]>>;
}

const SLACK_MICROS = 1_000_000n;

function slackOrder(ts: string): bigint {
  const [seconds = '0', micros = '0'] = ts.split('.');
  return BigInt(seconds) * SLACK_MICROS + BigInt(micros.padEnd(6, '0').slice(0, 6));
}

function tokenOf(text: string): string | undefined {
  return text.match(TOKEN)?.[0];
}

/** Everything on the sides of one group, oldest first per side. */
export function collectGroup(world: MirrorWorld, group: LinkGroup): Found[] {
  const out: Found[] = [];
  if (group.slackChannel) {
    for (const message of world.slack.state.history(group.slackChannel)) {
      if (message.deleted) continue;
      out.push({
        side: 'slack',
        group: group.index,
        token: tokenOf(message.text),
        id: message.ts,
        order: slackOrder(message.ts),
        thread: message.threadTs !== undefined && message.threadTs !== message.ts ? message.threadTs : undefined,
        text: message.text,
      });
    }
  }
  if (group.discordChannel) {
    const channels = world.discord.state.channels;
    const threadIds = [...channels.values()].filter((channel) => 'parent_id' in channel && channel.parent_id === group.discordChannel).map((channel) => channel.id);
    for (const channelId of [group.discordChannel, ...threadIds]) {
      for (const message of world.discord.state.messages.get(channelId) ?? ([] as APIMessage[])) {
        // System messages (thread created, joins) are Discord's, not anybody's post.
        if (message.type !== 0 && message.type !== 19) continue;
        out.push({
          side: 'discord',
          group: group.index,
          token: tokenOf(message.content),
          id: message.id,
          order: BigInt(message.id),
          thread: channelId === group.discordChannel ? undefined : channelId,
          text: message.content,
        });
      }
    }
  }
  for (const message of world.fluxra.state.messages.values()) {
    if (message.conversationId !== group.conversationId || message.deleted) continue;
    out.push({
      side: 'fluxra',
      group: group.index,
      token: tokenOf(message.content),
      id: message.messageId,
      order: BigInt(message.seq),
      thread: message.inReplyTo ?? undefined,
      text: message.content,
    });
  }
  return out.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
}

/** The sides a group mirrors between. */
export function sidesOf(group: LinkGroup): Side[] {
  return [...(group.slackChannel ? (['slack'] as const) : []), ...(group.discordChannel ? (['discord'] as const) : []), 'fluxra'];
}

/** How many expected copies are there so far (cheap enough to poll while waiting). */
export function countDelivered(world: MirrorWorld, driven: readonly OriginMessage[]): { expected: number; delivered: number; total: number } {
  const report = checkMirror(world, driven, { order: false });
  let total = 0;
  for (const sides of report.found.values()) for (const list of sides.values()) total += list.length;
  return { expected: report.expected, delivered: report.delivered, total: total + report.unknown };
}

export function checkMirror(world: MirrorWorld, driven: readonly OriginMessage[], options: { order?: boolean } = {}): CheckReport {
  const found = new Map<string, Map<Side, Found[]>>();
  const problems: Problem[] = [];
  let unknown = 0;
  const known = new Map(driven.map((message) => [message.token, message] as const));
  for (const group of world.groups) {
    for (const entry of collectGroup(world, group)) {
      if (entry.token === undefined || !known.has(entry.token)) {
        unknown += 1;
        problems.push({ kind: 'unknown', token: entry.token, side: entry.side, detail: `group ${group.index}: ${entry.text.slice(0, 120)}` });
        continue;
      }
      let sides = found.get(entry.token);
      if (!sides) {
        sides = new Map();
        found.set(entry.token, sides);
      }
      const list = sides.get(entry.side) ?? [];
      list.push(entry);
      sides.set(entry.side, list);
    }
  }

  let expected = 0;
  let delivered = 0;
  let missing = 0;
  let duplicated = 0;
  let echoes = 0;
  let misthreaded = 0;
  for (const message of driven) {
    const group = world.groups[message.group];
    if (!group) continue;
    const sides = found.get(message.token) ?? new Map<Side, Found[]>();
    for (const side of sidesOf(group)) {
      const copies = sides.get(side) ?? [];
      if (side === message.side) {
        // The original is there (unless not written yet); anything more came back to its origin.
        const extra = copies.filter((copy) => copy.id !== message.originId).length;
        if (extra > 0) {
          echoes += extra;
          problems.push({ kind: 'echo', token: message.token, side, detail: `${extra} cop${extra === 1 ? 'y' : 'ies'} back at the origin` });
        }
        continue;
      }
      expected += 1;
      if (copies.length === 0) {
        missing += 1;
        problems.push({ kind: 'missing', token: message.token, side, detail: `from ${message.side}` });
        continue;
      }
      delivered += 1;
      if (copies.length > 1) {
        duplicated += copies.length - 1;
        problems.push({ kind: 'duplicated', token: message.token, side, detail: `${copies.length} copies from ${message.side}` });
      }
      if (message.root) {
        const rootCopy = found.get(message.root.token)?.get(side)?.[0];
        const copy = copies[0];
        if (rootCopy && copy && copy.thread !== rootCopy.id) {
          misthreaded += 1;
          problems.push({ kind: 'misthreaded', token: message.token, side, detail: `in thread ${String(copy.thread)}, its root ${message.root.token} is ${rootCopy.id}` });
        }
      }
    }
  }

  let orderViolations = 0;
  if (options.order ?? true) {
    for (const group of world.groups) {
      for (const source of sidesOf(group)) {
        const fromSource = driven.filter((message) => message.group === group.index && message.side === source);
        for (const destination of sidesOf(group)) {
          if (destination === source) continue;
          let previous: { token: string; order: bigint } | undefined;
          for (const message of fromSource) {
            const copy = found.get(message.token)?.get(destination)?.[0];
            if (!copy) continue;
            if (previous && copy.order < previous.order) {
              orderViolations += 1;
              problems.push({ kind: 'order', token: message.token, side: destination, detail: `from ${source} (group ${group.index}): arrived before ${previous.token}` });
            }
            if (!previous || copy.order > previous.order) previous = { token: message.token, order: copy.order };
          }
        }
      }
    }
  }

  return { expected, delivered, missing, duplicated, echoes, unknown, misthreaded, orderViolations, problems, found };
}

/** A short account of a report for assertion messages and logs. */
export function summarize(report: CheckReport, limit = 15): string {
  const counts = `expected ${report.expected}, delivered ${report.delivered}, missing ${report.missing}, duplicated ${report.duplicated}, echoes ${report.echoes}, unknown ${report.unknown}, misthreaded ${report.misthreaded}, order violations ${report.orderViolations}`;
  const byKind = new Map<string, Problem[]>();
  for (const problem of report.problems) byKind.set(problem.kind, [...(byKind.get(problem.kind) ?? []), problem]);
  const lines = [...byKind.entries()].flatMap(([kind, list]) => [`${kind} (${list.length}):`, ...list.slice(0, limit).map((p) => `  ${p.token ?? '-'} @${p.side}: ${p.detail}`)]);
  return [counts, ...lines].join('\n');
}
