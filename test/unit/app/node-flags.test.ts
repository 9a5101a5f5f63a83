/**
 * The memory flags production runs with are stated in three places that cannot import one
 * another (package.json's start script, the Docker image's NODE_OPTIONS, and the constant
 * the benchmarks' bridge process uses): they must agree, or the benchmark would measure a
 * process nobody runs.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PRODUCTION_NODE_FLAGS } from '../../../src/app/node-flags.js';

const repoFile = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

test('npm start runs the bridge with the production Node flags', () => {
  const scripts = (JSON.parse(repoFile('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts['start'], `node ${PRODUCTION_NODE_FLAGS.join(' ')} dist/cli.js start`);
});

test('the Docker image sets the same flags in NODE_OPTIONS', () => {
  const runtimeStage =
    repoFile('Dockerfile')
      .split(/^FROM /m)
      .at(-1) ?? '';
  const options = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(runtimeStage)?.[1];
  assert.equal(options, PRODUCTION_NODE_FLAGS.join(' '));
});

test('Node accepts the flags, also through NODE_OPTIONS, and V8 applies the old-space cap', () => {
  const limitMb = (env: NodeJS.ProcessEnv, args: string[]): number => {
    const run = spawnSync(process.execPath, [...args, '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'], { env, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return Number(run.stdout) / 1024 / 1024;
  };
  const oldSpace = Number(/--max-old-space-size=(\d+)/.exec(PRODUCTION_NODE_FLAGS.join(' '))?.[1]);
  const viaArgs = limitMb({ PATH: process.env['PATH'] ?? '' }, [...PRODUCTION_NODE_FLAGS]);
  const viaEnv = limitMb({ PATH: process.env['PATH'] ?? '', NODE_OPTIONS: PRODUCTION_NODE_FLAGS.join(' ') }, []);
  // The limit is the old space plus the young generation: a little above the cap, far below the default.
  for (const limit of [viaArgs, viaEnv]) assert.ok(limit >= oldSpace && limit < oldSpace + 64, `heap limit ${limit} MB`);
});
