/**
 * The fault matrix's mirror scenario, in one link group (Slack, Discord, Fluxra): a root
 * from each side, a thread reply to each, a long Fluxra message (split on both platforms),
 * an edit on Slack and one on Fluxra, a delete on Slack and one on Fluxra. `run` drives it
 * (each step once the previous one arrived, or after `stepMaxMs`); `check` counts what was
 * lost or duplicated once everything settled.
 */
import { checkMirror, collectGroup } from '../mirror-checker.js';
import type { MirrorDriver, OriginMessage } from '../mirror-driver.js';
import type { MirrorWorld } from '../mirror-world.js';
import { waitForQuiescence } from '../quiesce.js';
import type { SlackSender } from './slack-events.js';
import { LONG_CHUNKS, longText } from './world.js';

export interface MirrorRun {
  cell: string;
  /** Messages that must be everywhere, once, in order, in their threads. */
  kept: OriginMessage[];
  /** Messages edited: every copy must carry `marker`. */
  edited: Array<{ message: OriginMessage; marker: string }>;
  /** Messages deleted at their origin: no copy may remain. */
  deleted: OriginMessage[];
  /** The long message's chunk prefix: each chunk once on Slack and on Discord, in order. */
  longPrefix: string;
}

export interface ScenarioCheck {
  lost: number;
  duplicated: number;
  problems: string[];
}

const GROUP = 0;

async function arrived(world: MirrorWorld, messages: OriginMessage[], maxMs: number): Promise<void> {
  await waitForQuiescence(world, messages, { stableMs: 0, maxMs, intervalMs: 50 });
}

export async function runMirrorScenario(world: MirrorWorld, driver: MirrorDriver, slack: SlackSender, cell: string, stepMaxMs: number): Promise<MirrorRun> {
  const group = world.groups[GROUP]!;
  const slackRoot = driver.send('slack', GROUP);
  const discordRoot = driver.send('discord', GROUP);
  const fluxraRoot = driver.send('fluxra', GROUP);
  const roots = [slackRoot, discordRoot, fluxraRoot];
  await arrived(world, roots, stepMaxMs);

  const replies = [driver.send('slack', GROUP, slackRoot), driver.send('discord', GROUP, discordRoot), driver.send('fluxra', GROUP, fluxraRoot)];
  const slackDoomed = driver.send('slack', GROUP);
  const fluxraDoomed = driver.send('fluxra', GROUP);
  const longPrefix = `LF${cell.replace(/\W+/g, '')}`;
  const agent = group.agents[0]!;
  world.fluxra.postAs(agent.agentId, { conversationId: group.conversationId, content: longText(longPrefix) });
  await arrived(world, [...roots, ...replies, slackDoomed, fluxraDoomed], stepMaxMs);

  // Edits: the Slack root (Slack → Fluxra and Discord) and the Fluxra root (Fluxra → both).
  const marker = `edited-${cell}`;
  const slackChannel = group.slackChannel!;
  const original = world.slack.state.history(slackChannel).find((message) => message.ts === slackRoot.originId);
  if (original) {
    const before = original.text;
    original.text = `${before} ${marker}`;
    const eventTs = world.slack.state.nextTs();
    original.edited = { user: original.user ?? '', ts: eventTs };
    slack.send({
      type: 'message',
      subtype: 'message_changed',
      channel: slackChannel,
      ts: eventTs,
      message: { user: original.user, text: original.text, ts: original.ts, edited: original.edited },
      previous_message: { user: original.user, text: before, ts: original.ts },
    });
  }
  const fluxraAuthor = group.agents[fluxraRoot.seq % group.agents.length]!;
  world.fluxra.editAs(fluxraAuthor.agentId, fluxraRoot.originId!, `${fluxraRoot.text} ${marker}`);

  // Deletes: one Slack message (→ Fluxra and Discord) and one Fluxra message (→ both platforms).
  const doomed = world.slack.state.history(slackChannel).find((message) => message.ts === slackDoomed.originId);
  if (doomed) {
    doomed.deleted = true;
    slack.send({
      type: 'message',
      subtype: 'message_deleted',
      channel: slackChannel,
      ts: world.slack.state.nextTs(),
      deleted_ts: doomed.ts,
      previous_message: { user: doomed.user, text: doomed.text, ts: doomed.ts },
    });
  }
  const doomedAuthor = group.agents[fluxraDoomed.seq % group.agents.length]!;
  world.fluxra.deleteAs(doomedAuthor.agentId, fluxraDoomed.originId!);

  return {
    cell,
    kept: [...roots, ...replies],
    edited: [
      { message: slackRoot, marker },
      { message: fluxraRoot, marker },
    ],
    deleted: [slackDoomed, fluxraDoomed],
    longPrefix,
  };
}

/** Chunk markers of the long message found on one platform side, in that side's order. */
function longChunksOn(world: MirrorWorld, side: 'slack' | 'discord', prefix: string): string[] {
  const pattern = new RegExp(`\\b${prefix}-\\d\\d\\b`, 'g');
  return collectGroup(world, world.groups[GROUP]!)
    .filter((found) => found.side === side)
    .flatMap((found) => found.text.match(pattern) ?? []);
}

/** True once the scenario's end state is there (used to wait; `checkMirrorRun` judges). */
export function mirrorSettled(world: MirrorWorld, run: MirrorRun): boolean {
  return checkMirrorRun(world, run).problems.length === 0;
}

export function checkMirrorRun(world: MirrorWorld, run: MirrorRun): ScenarioCheck {
  const report = checkMirror(world, run.kept);
  const problems = report.problems.filter((problem) => problem.kind !== 'unknown').map((problem) => `${problem.kind} ${problem.token ?? '-'} @${problem.side}: ${problem.detail}`);
  let lost = report.missing;
  let duplicated = report.duplicated + report.echoes;

  for (const { message, marker } of run.edited) {
    for (const [side, copies] of report.found.get(message.token) ?? new Map()) {
      for (const copy of copies) if (!copy.text.includes(marker)) problems.push(`edit of ${message.token} missing @${side}`);
    }
  }
  const everything = collectGroup(world, world.groups[GROUP]!);
  for (const message of run.deleted) {
    const left = everything.filter((found) => found.token === message.token);
    for (const copy of left) problems.push(`deleted ${message.token} still @${copy.side}`);
  }
  for (const side of ['slack', 'discord'] as const) {
    const chunks = longChunksOn(world, side, run.longPrefix);
    const counts = new Map<string, number>();
    for (const chunk of chunks) counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
    for (let k = 0; k < LONG_CHUNKS; k += 1) {
      const name = `${run.longPrefix}-${String(k).padStart(2, '0')}`;
      const count = counts.get(name) ?? 0;
      if (count === 0) {
        lost += 1;
        problems.push(`long chunk ${name} missing @${side}`);
      } else if (count > 1) {
        duplicated += count - 1;
        problems.push(`long chunk ${name} ×${count} @${side}`);
      }
    }
    const firsts = [...new Set(chunks)];
    if (firsts.some((chunk, index) => index > 0 && chunk < firsts[index - 1]!)) problems.push(`long message out of order @${side}`);
  }
  return { lost, duplicated, problems };
}
