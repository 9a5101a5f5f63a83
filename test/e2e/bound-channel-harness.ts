/**
 * The sessions rig (real engine, scheduler, budget, Blocks client and platform adapter on
 * the fakes) with `/bridge` beside `/agent`, as the composition root builds it when only
 * Blocks is configured: its agent half binds channels.
 */

import { createBridgeCommand } from '../../src/commands/bridge.js';
import { LINK_STATUS_KV } from '../../src/commands/bridge-link-status.js';
import type { CommandHandler } from '../../src/commands/types.js';
import { type RigOptions, type SessionsRig, startSessionsRig } from './sessions-harness.js';

export function startBoundRig(options: RigOptions & { mode?: 'queue' | 'interrupt' }): Promise<SessionsRig> {
  const mode = options.mode ?? 'queue';
  return startSessionsRig({
    ...options,
    sessions: { ...options.sessions, boundChannelMode: mode },
    extraHandlers: (engine, store) => [
      createBridgeCommand({
        name: 'bridge',
        blockCommandName: 'block',
        agentId: '',
        fluxra: undefined,
        links: store.links,
        cursors: store.cursors,
        linkStatus: store.kv(LINK_STATUS_KV),
        agents: { control: engine.channels, agentCommand: 'agent', mode },
      }) as CommandHandler<never>,
    ],
  });
}
