/**
 * Saves and restores the fake Blocks sessions (turns and messages) and artifacts, so that a
 * follow-up in an old thread continues its session after a restart. The arrival log and
 * the rate window start empty, as the bridge's own budget does.
 */
import type { FakeArtifact, FakeBlocksState, FakeSession, FakeTurn } from '../../simulators/blocks.js';

export interface BlocksSnapshot {
  sessions: FakeSession[];
  artifacts: FakeArtifact[];
}

export function snapshotBlocks(state: FakeBlocksState): BlocksSnapshot {
  return { sessions: [...state.sessions.values()], artifacts: [...state.artifacts.values()] };
}

/** Returns the turns that were still running when the state was saved (their agents must finish them). */
export function restoreBlocks(state: FakeBlocksState, saved: BlocksSnapshot): FakeTurn[] {
  for (const session of saved.sessions) state.sessions.set(session.id, session);
  for (const artifact of saved.artifacts) state.artifacts.set(artifact.id, artifact);
  return saved.sessions.flatMap((session) => session.turns.filter((turn) => turn.status === 'running'));
}
