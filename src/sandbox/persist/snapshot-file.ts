/**
 * The simulators' saved state: one JSON file per simulator under the data dir, written
 * atomically (temp file, then rename) so that a crash mid-write leaves the previous copy.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Bumped when a saved shape changes incompatibly; an older file is then ignored, not misread. */
export const SNAPSHOT_VERSION = 1;

interface Envelope {
  version: number;
  savedAt: string;
  data: unknown;
}

/** The saved data, or undefined when there is no file (first run) or it is of another version. */
export function readSnapshot(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<Envelope>;
  return parsed.version === SNAPSHOT_VERSION ? parsed.data : undefined;
}

export function writeSnapshot(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const envelope: Envelope = { version: SNAPSHOT_VERSION, savedAt: new Date().toISOString(), data };
  const temp = `${path}.tmp`;
  writeFileSync(temp, JSON.stringify(envelope));
  renameSync(temp, path);
}
