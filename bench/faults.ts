/**
 * The fault matrix as a benchmark (issue 16): runs every cell of the e2e fault matrix
 * (test/e2e/fault-matrix.test.ts) and prints one JSON line per cell, then
 * `{"faults_tried":N,"survived":N,"lost":N,"duplicated":N}` as the last line.
 *
 *   npm run bench:faults
 *   FAULT_MATRIX_FAULTS=5xx FAULT_MATRIX_CALLS=fluxra.send,slack.post npm run bench:faults
 *   FAULT_MATRIX_REDIS=0 npm run bench:faults       (skip the Redis cells)
 */
import { CALL_KINDS, type CallKind, OUTBOUND_FAULTS, type OutboundFault } from '../src/simulators/fault-plan.js';
import { type CellResult, runOutboundMatrix, summarizeMatrix } from '../test/e2e/support/fault-matrix/matrix.js';
import { runRedisMatrix } from '../test/e2e/support/fault-matrix/redis-cells.js';

function listFromEnv<T extends string>(name: string, all: readonly T[]): readonly T[] {
  const raw = process.env[name];
  if (!raw) return all;
  const wanted = raw.split(',').map((item) => item.trim());
  const unknown = wanted.filter((item) => !all.includes(item as T));
  if (unknown.length > 0) throw new Error(`${name}: unknown ${unknown.join(', ')} (known: ${all.join(', ')})`);
  return wanted as T[];
}

const faults = listFromEnv<OutboundFault>('FAULT_MATRIX_FAULTS', OUTBOUND_FAULTS);
const calls = listFromEnv<CallKind>('FAULT_MATRIX_CALLS', CALL_KINDS);
const withRedis = process.env['FAULT_MATRIX_REDIS'] !== '0';
const started = Date.now();
const print = (cell: CellResult): void => console.log(JSON.stringify(cell));
const cells = await runOutboundMatrix({ faults, calls, onCell: print });
if (withRedis) cells.push(...(await runRedisMatrix({ onCell: print })));
const report = summarizeMatrix(cells);
console.error(`fault matrix: ${report.survived}/${report.faultsTried} cells survived in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(JSON.stringify({ faults_tried: report.faultsTried, survived: report.survived, lost: report.lost, duplicated: report.duplicated }));
process.exit(0);
