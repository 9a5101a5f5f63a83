/**
 * The four simulators the sandbox runs in its own process: the same fakes the tests use,
 * on loopback ports, with the identities of identities.ts and the state saved by the last
 * run. `save()` writes every simulator's state to the data dir; `close()` stops them.
 */
import { join } from 'node:path';
import { type AgentScript, createFakeBlocks, type FakeBlocks, type TurnContext } from '../simulators/blocks.js';
import { createFakeDiscord, type FakeDiscord } from '../simulators/discord.js';
import { createFakeFluxra, type FakeFluxra } from '../simulators/fluxra.js';
import { createFakeSlack, type FakeSlack } from '../simulators/slack.js';
import { BRIDGE_AGENT_NAME, DISCORD_APPLICATION_ID, DISCORD_CHANNEL, DISCORD_GUILD_ID, FLUXRA_AGENT_NAMES, SANDBOX_SECRETS, SLACK_CHANNEL, SLACK_PERSON } from './identities.js';
import { type BlocksSnapshot, restoreBlocks, snapshotBlocks } from './persist/blocks.js';
import { type DiscordSnapshot, restoreDiscord, snapshotDiscord } from './persist/discord.js';
import { type FluxraSnapshot, restoreFluxra, snapshotFluxra } from './persist/fluxra.js';
import { restoreSlack, type SlackSnapshot, snapshotSlack } from './persist/slack.js';
import { readSnapshot, writeSnapshot } from './persist/snapshot-file.js';

export interface AgentIdentity {
  agentId: string;
  agentName: string;
}

export interface SandboxWorld {
  readonly slack: FakeSlack;
  readonly discord: FakeDiscord;
  readonly fluxra: FakeFluxra;
  readonly blocks: FakeBlocks;
  /** The bridge's own Fluxra agent and its key (kept across restarts: links and cursors refer to it). */
  readonly bridgeAgent: AgentIdentity & { apiKey: string };
  /** Agents a visitor can post as. */
  readonly agents: readonly AgentIdentity[];
  /** False on the first run in this data dir. */
  readonly restored: boolean;
  save(): void;
  close(): Promise<void>;
}

export interface WorldOptions {
  dataDir: string;
  /** How long a Blocks agent works before it answers. */
  agentDelayMs: number;
}

const files = (dataDir: string) => ({
  slack: join(dataDir, 'slack.json'),
  discord: join(dataDir, 'discord.json'),
  fluxra: join(dataDir, 'fluxra.json'),
  blocks: join(dataDir, 'blocks.json'),
});

/** What the simulated agents answer: plainly a simulation, echoing what was asked. */
function agentScript(delayMs: number): (ctx: TurnContext) => AgentScript {
  return (ctx) => ({
    delayMs,
    // Steps on the way, as a real agent writes them (issue 18): the console shows Slack's status
    // and stream, and Discord's step list.
    progress: ['Reading the request…', 'Drafting the answer…'],
    toolCalls: [
      { name: 'read_file', input: { path: 'README.md' } },
      { name: 'bash', input: 'npm test' },
    ],
    final:
      ctx.turnIndex === 0
        ? `Hello from the simulated ${ctx.agentName ?? 'agent'}. You asked: “${ctx.prompt}”.\n\nA real Blocks agent would work on it now; here I only answer after a few seconds. Reply in this thread to follow up.`
        : `Follow-up ${ctx.turnIndex} received: “${ctx.prompt}”. (Simulated answer.)`,
  });
}

export async function createSandboxWorld(options: WorldOptions): Promise<SandboxWorld> {
  const paths = files(options.dataDir);
  const saved = {
    slack: readSnapshot(paths.slack) as SlackSnapshot | undefined,
    discord: readSnapshot(paths.discord) as DiscordSnapshot | undefined,
    fluxra: readSnapshot(paths.fluxra) as FluxraSnapshot | undefined,
    blocks: readSnapshot(paths.blocks) as BlocksSnapshot | undefined,
  };

  const script = agentScript(options.agentDelayMs);
  const [slack, discord, fluxra, blocks] = await Promise.all([
    createFakeSlack({
      botToken: SANDBOX_SECRETS.slackBotToken,
      appToken: SANDBOX_SECRETS.slackAppToken,
      users: [{ ...SLACK_PERSON }],
      channels: [{ ...SLACK_CHANNEL }],
    }),
    createFakeDiscord({
      token: SANDBOX_SECRETS.discordToken,
      applicationId: DISCORD_APPLICATION_ID,
      guildId: DISCORD_GUILD_ID,
      channels: [{ ...DISCORD_CHANNEL }],
    }),
    createFakeFluxra(),
    createFakeBlocks({ apiKeys: [SANDBOX_SECRETS.blocksApiKey], script, linkOrigin: 'self' }),
  ]);

  if (saved.slack) restoreSlack(slack.state, saved.slack);
  if (saved.discord) restoreDiscord(discord.state, saved.discord);
  if (saved.fluxra) restoreFluxra(fluxra.state, saved.fluxra);
  // Turns that were running when the sandbox stopped: their agents finish them now.
  const resumed = saved.blocks ? restoreBlocks(blocks.state, saved.blocks) : [];
  const timers = resumed.map((turn) =>
    setTimeout(() => {
      if (blocks.findTurn(turn.threadId)?.turn.status === 'running') blocks.completeTurn(turn.threadId, `Done (after the sandbox restarted): “${turn.prompt}”.`);
    }, options.agentDelayMs),
  );

  const agentNamed = (name: string): AgentIdentity => {
    const existing = [...fluxra.state.agents.values()].find((agent) => agent.agentName === name);
    if (existing) return { agentId: existing.agentId, agentName: existing.agentName };
    const created = fluxra.createAgent({ agentName: name });
    return { agentId: created.agentId, agentName: created.agentName };
  };
  const bridge = agentNamed(BRIDGE_AGENT_NAME);
  const bridgeKey = [...fluxra.state.apiKeys.values()].find((key) => key.agentId === bridge.agentId) ?? fluxra.state.createApiKey(bridge.agentId, { name: 'sandbox' });
  const agents = FLUXRA_AGENT_NAMES.map(agentNamed);

  return {
    slack,
    discord,
    fluxra,
    blocks,
    bridgeAgent: { ...bridge, apiKey: bridgeKey.apiKey },
    agents,
    restored: saved.fluxra !== undefined,
    save() {
      writeSnapshot(paths.slack, snapshotSlack(slack.state));
      writeSnapshot(paths.discord, snapshotDiscord(discord.state));
      writeSnapshot(paths.fluxra, snapshotFluxra(fluxra.state));
      writeSnapshot(paths.blocks, snapshotBlocks(blocks.state));
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([slack.close(), discord.close(), fluxra.close(), blocks.close()]);
    },
  };
}
