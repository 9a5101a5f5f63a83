/**
 * docker-compose.yml, checked without Docker (which cannot run here): parsed with a small
 * parser of the YAML subset the file keeps to (block maps, block lists, scalars, comments;
 * no anchors or flow syntax), then its shape: two bridge replicas on one Redis, secrets
 * from env_file only, REDIS_URL to the redis service, a health check on /healthz, a grace
 * period longer than the drain, and a named volume for Redis.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configSchema } from '../../src/config/schema.js';

type Yaml = string | Yaml[] | { [key: string]: Yaml };

function unquote(text: string): string {
  const trimmed = text.trim();
  if (/^".*"$/.test(trimmed) || /^'.*'$/.test(trimmed)) return trimmed.slice(1, -1);
  return trimmed;
}

/** Parses the block-style YAML subset; throws on anything outside it. */
function parseYaml(source: string): Yaml {
  const lines = source
    .split('\n')
    .map((raw) => raw.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, ''))
    .filter((line) => line.trim() !== '')
    .map((line) => ({ indent: line.length - line.trimStart().length, text: line.trim() }));
  let index = 0;
  function block(indent: number): Yaml {
    const first = lines[index];
    if (!first || first.indent < indent) return {};
    if (first.text.startsWith('- ')) {
      const list: Yaml[] = [];
      while (lines[index] && lines[index]!.indent === first.indent && lines[index]!.text.startsWith('- ')) {
        list.push(unquote(lines[index]!.text.slice(2)));
        index += 1;
      }
      return list;
    }
    const map: Record<string, Yaml> = {};
    while (lines[index] && lines[index]!.indent === first.indent) {
      const line = lines[index]!;
      const match = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(line.text);
      if (!match) throw new Error(`outside the YAML subset: ${line.text}`);
      if (/[&*{[]/.test((match[2] ?? '').slice(0, 1))) throw new Error(`anchors and flow syntax are not used: ${line.text}`);
      index += 1;
      map[match[1]!] = match[2] === undefined ? block(line.indent + 1) : unquote(match[2]);
    }
    return map;
  }
  const root = block(0);
  if (index !== lines.length) throw new Error(`unparsed line: ${lines[index]!.text}`);
  return root;
}

const compose = parseYaml(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as Record<string, Record<string, Record<string, Yaml>>>;
const services = compose['services']!;

test('two bridge replicas and Redis', () => {
  assert.deepEqual(Object.keys(services).sort(), ['bridge-1', 'bridge-2', 'redis']);
});

for (const name of ['bridge-1', 'bridge-2']) {
  test(`${name}: secrets from env_file, REDIS_URL to the redis service, health check, grace period`, () => {
    const bridge = services[name]!;
    assert.deepEqual(bridge['env_file'], ['.env']);
    const environment = bridge['environment'] as Record<string, string>;
    assert.match(environment['REDIS_URL'] ?? '', /^redis:\/\/:\$\{REDIS_PASSWORD[^}]*\}@redis:6379$/);
    // Secrets never sit in the file itself.
    for (const secret of ['FLUXRA_API_KEY', 'BLOCKS_API_KEY', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN']) assert.equal(environment[secret], undefined, secret);
    const health = bridge['healthcheck'] as Record<string, Yaml>;
    assert.ok((health['test'] as string[]).some((part) => part.includes('http://127.0.0.1:8080/healthz')));
    assert.deepEqual((bridge['depends_on'] as Record<string, Record<string, string>>)['redis'], { condition: 'service_healthy' });
    // The grace period covers the default drain plus closing.
    const grace = Number(/^(\d+)s$/.exec(String(bridge['stop_grace_period']))?.[1]) * 1000;
    assert.ok(grace > configSchema.parse({}).shutdown.drainTimeoutMs, `stop_grace_period ${String(bridge['stop_grace_period'])}`);
    assert.ok(
      (bridge['ports'] as string[]).some((port) => /^\d+:8080$/.test(port)),
      'the health port is published',
    );
  });
}

test('Redis has a password, a health check and a named volume', () => {
  const redis = services['redis']!;
  assert.ok((redis['command'] as string[]).includes('--requirepass'));
  assert.ok(((redis['healthcheck'] as Record<string, Yaml>)['test'] as string[]).some((part) => part.includes('ping')));
  const [volume] = (redis['volumes'] as string[])[0]!.split(':');
  assert.ok(volume && compose['volumes'] && volume in compose['volumes'], 'a named volume declared at the top level');
});
