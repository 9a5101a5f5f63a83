/** Formats the check results: one line per part (✓ works, ✗ fails, - not configured), hints under failures, a summary. */
import type { CheckResult } from './result.js';

const MARK = { ok: '✓', failed: '✗', 'not-configured': '-', warning: '!' } as const;

export function formatReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.part.length));
  const lines: string[] = [];
  for (const result of results) {
    const hint = result.hint ? (result.status === 'failed' || result.status === 'warning' ? `\n  ${' '.repeat(width)}  hint: ${result.hint}` : ` (${result.hint})`) : '';
    lines.push(`${MARK[result.status]} ${result.part.padEnd(width)}  ${result.detail}${hint}`);
  }
  const count = (status: CheckResult['status']): number => results.filter((result) => result.status === status).length;
  const failing = count('failed');
  lines.push(
    '',
    `${count('ok')} working, ${failing} failing, ${count('not-configured')} not configured${failing > 0 ? ': the bridge will not work fully until the failing parts are fixed' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
