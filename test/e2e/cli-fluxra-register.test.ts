/**
 * `fluxra-bridge fluxra register` as a child process against the fake Fluxra: it registers
 * an agent, creates its API key, prints each one-time secret exactly once with the env
 * lines to paste; the printed credentials work; invalid names never reach Fluxra; a key
 * that cannot be created still leaves the operator with the recovery key.
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createFakeFluxra, type FakeFluxra } from '../../src/simulators/fluxra.js';
import { occurrences, runCli, tempDir } from './cli-harness.js';

let fluxra: FakeFluxra;

before(async () => {
  fluxra = await createFakeFluxra();
});

after(async () => {
  await fluxra.close();
});

const config = (): Record<string, unknown> => ({ fluxra: { baseUrl: fluxra.url }, store: { path: join(tempDir(), 'bridge.db') } });

function envLine(stdout: string, name: string): string {
  const value = new RegExp(`^${name}=(\\S+)$`, 'm').exec(stdout)?.[1];
  assert.ok(value, `${name}= line in:\n${stdout}`);
  return value;
}

test('registers the agent, creates its key, prints each secret once and the env lines that work', async () => {
  const result = await runCli(['fluxra', 'register', 'team-bridge', '--key-name', 'bridge-prod', '--expires-days', '30', '--email', 'ops@example.com'], { config: config() });
  assert.equal(result.code, 0, result.stdout + result.stderr);

  const agent = [...fluxra.state.agents.values()].find((candidate) => candidate.agentName === 'team-bridge');
  assert.ok(agent, 'the agent was registered');
  assert.equal(agent.email, 'ops@example.com');
  const key = [...fluxra.state.apiKeys.values()].find((candidate) => candidate.agentId === agent.agentId);
  assert.ok(key, 'its API key was created');
  assert.equal(key.name, 'bridge-prod');
  assert.ok(key.expiresAt !== null);

  assert.equal(envLine(result.stdout, 'FLUXRA_AGENT_ID'), agent.agentId);
  assert.equal(envLine(result.stdout, 'FLUXRA_API_KEY'), key.apiKey);
  const everything = result.stdout + result.stderr;
  assert.equal(occurrences(everything, agent.recoveryKey), 1, 'the recovery key is printed once');
  assert.equal(occurrences(everything, key.apiKey), 1, 'the API key is printed once');
  assert.match(result.stdout, /shown ONCE/);
  assert.match(result.stdout, /Keep it OFFLINE/);
  assert.match(result.stdout, /API key "bridge-prod" created \(aky_\w+; expires /);

  // The printed lines are all the bridge needs: check accepts them.
  const check = await runCli(['check'], { config: config(), env: { FLUXRA_AGENT_ID: agent.agentId, FLUXRA_API_KEY: key.apiKey } });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /^✓ fluxra token +agent agt_\w+ exchanged its API key/m);
});

test('an invalid agent name is refused before any request', async () => {
  const before = fluxra.requestsTo('register').length;
  for (const name of ['ab', 'has space', 'under_score', 'x'.repeat(51)]) {
    const result = await runCli(['fluxra', 'register', name], { config: config() });
    assert.equal(result.code, 2, name);
    assert.match(result.stderr, /invalid agent name .*3 to 50 letters, digits or hyphens/, name);
  }
  assert.equal(fluxra.requestsTo('register').length, before);
});

test('bad flag values are usage errors', async () => {
  const days = await runCli(['fluxra', 'register', 'ok-name', '--expires-days', 'soon'], { config: config() });
  assert.equal(days.code, 2);
  assert.match(days.stderr, /--expires-days must be a whole number of days/);
  const email = await runCli(['fluxra', 'register', 'ok-name', '--email', 'nobody'], { config: config() });
  assert.equal(email.code, 2);
  assert.match(email.stderr, /--email "nobody" is not an email address/);
  assert.equal(
    [...fluxra.state.agents.values()].some((agent) => agent.agentName === 'ok-name'),
    false,
  );
});

test("a name already taken fails with exit 1 and Fluxra's reason", async () => {
  fluxra.createAgent({ agentName: 'taken-name' });
  const result = await runCli(['fluxra', 'register', 'taken-name'], { config: config() });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /✗ Fluxra did not register "taken-name" .*409/);
  assert.equal(result.stdout, '');
});

test('when the key cannot be created, the registration and recovery key are still printed', async () => {
  fluxra.inject({ kind: 'status', status: 500, json: { error: { code: 'INTERNAL', message: 'try later' } } }, { route: 'createApiKey' });
  const result = await runCli(['fluxra', 'register', 'half-done'], { config: config() });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const agent = [...fluxra.state.agents.values()].find((candidate) => candidate.agentName === 'half-done');
  assert.ok(agent);
  assert.equal(occurrences(result.stdout, agent.recoveryKey), 1);
  assert.equal(envLine(result.stdout, 'FLUXRA_AGENT_ID'), agent.agentId);
  assert.doesNotMatch(result.stdout, /FLUXRA_API_KEY=/);
  assert.match(result.stderr, /the agent is registered but its API key was not created: .*500/);
});
