import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configTableMarkdown, describeConfig } from '../../../src/config/describe.js';
import { loadConfig } from '../../../src/config/load.js';

test('the README configuration table is the one generated from the schema', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const match = /<!-- config-table:start[^>]*-->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
  assert.ok(match, 'README has the config-table markers');
  assert.equal(match[1], configTableMarkdown(), 'run `npm run docs:config` and paste the table into the README');
});

test('every configuration key is documented with a meaning', () => {
  const undocumented = describeConfig()
    .filter((row) => row.description.trim() === '')
    .map((row) => row.key);
  assert.deepEqual(undocumented, []);
});

test('the example config file is valid', () => {
  const { config } = loadConfig({ path: new URL('../../../config/bridge.example.json', import.meta.url).pathname, env: {} });
  assert.equal(config.blocks.agentAliases.reviewer, '0b7f5a4e-1111-4c2d-9a00-000000000001');
});
