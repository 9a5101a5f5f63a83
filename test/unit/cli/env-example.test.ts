import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SECRET_ENV } from '../../../src/config/schema.js';

const lines = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8').split('\n');

test('.env.example lists every secret the bridge reads, empty, each after a one-line comment', () => {
  for (const name of Object.keys(SECRET_ENV)) {
    const index = lines.indexOf(`${name}=`);
    assert.ok(index > 0, `${name}= is listed, without a value`);
    assert.match(lines[index - 1] ?? '', /^# \S.{10,}/, `a comment says what ${name} is`);
  }
  // Only KEY=value and comment lines: what the shell, node --env-file and docker --env-file all read the same.
  for (const line of lines) assert.match(line, /^(#.*|[A-Z_]+=|)$/, line);
});
