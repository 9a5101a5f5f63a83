/**
 * Describes the configuration schema as rows (key, environment variable, default,
 * meaning) so that the README's configuration table is generated from the schema itself
 * and a test can keep the two identical.
 */
import type { z } from 'zod';
import { configSchema, SECRET_ENV } from './schema.js';

export interface ConfigKeyRow {
  key: string;
  env: string | undefined;
  defaultValue: unknown;
  description: string;
}

type AnySchema = z.ZodType & { def: { type: string; innerType?: AnySchema; in?: AnySchema; defaultValue?: unknown }; shape?: Record<string, AnySchema> };

/** Strips default/optional/pipe wrappers to reach the schema that holds the shape. */
function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const { type, innerType } = current.def;
    if ((type === 'default' || type === 'prefault' || type === 'optional') && innerType) current = innerType;
    else if (type === 'pipe' && current.def.in) current = current.def.in;
    else return current;
  }
}

function defaultOf(schema: AnySchema): unknown {
  const result = schema.safeParse(undefined);
  return result.success ? result.data : undefined;
}

/** Every documented configuration key, in schema order. Objects without a description are expanded. */
export function describeConfig(): ConfigKeyRow[] {
  const envByKey = new Map<string, string>(Object.entries(SECRET_ENV).map(([env, key]) => [key, env]));
  const rows: ConfigKeyRow[] = [];
  const walk = (schema: AnySchema, path: string[]): void => {
    const inner = unwrap(schema);
    if (inner.def.type === 'object' && !schema.description && inner.shape) {
      for (const [name, child] of Object.entries(inner.shape)) walk(child, [...path, name]);
      return;
    }
    const key = path.join('.');
    rows.push({ key, env: envByKey.get(key), defaultValue: defaultOf(schema), description: schema.description ?? '' });
  };
  walk(configSchema as unknown as AnySchema, []);
  return rows;
}

function formatDefault(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return Array.isArray(value) ? '`[]`' : '`{}`';
  return `\`${JSON.stringify(value)}\``;
}

/** The README's configuration table, as Markdown. */
export function configTableMarkdown(): string {
  const lines = ['| key | environment | default | meaning |', '| --- | --- | --- | --- |'];
  for (const row of describeConfig()) {
    lines.push(`| \`${row.key}\` | ${row.env ? `\`${row.env}\`` : ''} | ${formatDefault(row.defaultValue)} | ${row.description.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}
