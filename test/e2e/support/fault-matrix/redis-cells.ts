/** Placeholder until the Redis cells land. */
import type { CellResult } from './matrix.js';

export async function runRedisMatrix(_options: { onCell?: (result: CellResult) => void } = {}): Promise<CellResult[]> {
  return [];
}
