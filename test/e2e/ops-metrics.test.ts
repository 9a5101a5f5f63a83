/**
 * /metrics after real traffic: the bridge as a child process (src/main.ts) against the
 * Slack, Discord, Fluxra and Blocks fakes, one linked channel pair. Each assertion reads
 * the Prometheus text a scraper would read; `/metrics` requires METRICS_TOKEN here.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createFakeBlocks, FAKE_BLOCKS_API_KEY, type FakeBlocks } from '../../src/simulators/blocks.js';
import { parseMetrics as parseSamples, readiness, type Sample, sampleValue, scrape as scrapeWithToken, waitFor, waitForMetric as waitForMetricWithToken } from './ops-harness.js';
import { type BridgeChild, startBridgeChild } from './support/bridge-child.js';
import { createMirrorWorld, DISCORD_PEOPLE, GUILD_ID, type MirrorWorld, SLACK_PEOPLE } from './support/mirror-world.js';

const METRICS_TOKEN = 'metrics-token-for-the-ops-test-0001';
const scrape = (base: string): Promise<Sample[]> => scrapeWithToken(base, METRICS_TOKEN);
const waitForMetric = (base: string, name: string, labels: Record<string, string>, min: number): Promise<Sample[]> =>
  waitForMetricWithToken(base, name, labels, min, undefined, METRICS_TOKEN);

let world: MirrorWorld;
let blocks: FakeBlocks;
let bridge: BridgeChild;
let base: string;

before(async () => {
  world = await createMirrorWorld({ groups: 1 });
  await world.seedLinks();
  blocks = await createFakeBlocks();
  bridge = startBridgeChild({
    config: world.config({ blocks: { baseUrl: blocks.url }, mirror: { pollIntervalMs: 100, idlePollIntervalMs: 200 } }),
    env: { ...world.env, BLOCKS_API_KEY: FAKE_BLOCKS_API_KEY, METRICS_TOKEN },
  });
  const started = await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started');
  base = `http://127.0.0.1:${String(started['healthPort'])}`;
  await world.slack.waitForSocket();
});

after(async () => {
  const code = await bridge.killAndWait('SIGTERM');
  await blocks.close();
  await world.close();
  assert.equal(code, 0, bridge.stderr());
});

const group = () => world.groups[0]!;

test('a Slack message mirrored to Fluxra counts once under to_fluxra/slack', async () => {
  const before = sampleValue(await scrape(base), 'fluxra_bridge_messages_mirrored_total', { direction: 'to_fluxra', platform: 'slack' }) ?? 0;
  await world.slack.deliverEvent(world.slack.userMessage({ channel: group().slackChannel!, user: SLACK_PEOPLE[0].id, text: 'metrics hello' }));
  await waitFor(() => [...world.fluxra.state.messages.values()].find((message) => message.content.includes('metrics hello')), 'the message in Fluxra');
  const samples = await waitForMetric(base, 'fluxra_bridge_messages_mirrored_total', { direction: 'to_fluxra', platform: 'slack' }, before + 1);
  assert.equal(sampleValue(samples, 'fluxra_bridge_messages_mirrored_total', { direction: 'to_fluxra', platform: 'slack' }), before + 1);
  assert.equal(sampleValue(samples, 'fluxra_bridge_inbound_events_total', { platform: 'slack', kind: 'message' }), 1);
});

test('a Fluxra message posted to both channels counts under from_fluxra for each platform, and the poll lag is reported', async () => {
  world.fluxra.postAs(group().agents[0]!.agentId, { conversationId: group().conversationId, content: 'from an agent' });
  await waitForMetric(base, 'fluxra_bridge_messages_mirrored_total', { direction: 'from_fluxra', platform: 'slack' }, 1);
  const samples = await waitForMetric(base, 'fluxra_bridge_messages_mirrored_total', { direction: 'from_fluxra', platform: 'discord' }, 1);
  assert.ok(world.slack.state.history(group().slackChannel!).some((message) => message.text.includes('from an agent')));
  const lag = sampleValue(samples, 'fluxra_bridge_fluxra_poll_lag_seconds');
  assert.ok(lag !== undefined && lag >= 0, 'the stalest poll lag is reported');
  assert.equal(sampleValue(samples, 'fluxra_bridge_fluxra_conversations_polled'), 1);
  assert.equal(sampleValue(samples, 'fluxra_bridge_outbox_depth', { queue: 'mirror' }), 0, 'nothing left queued');
  assert.equal(sampleValue(samples, 'fluxra_bridge_platform_connected', { platform: 'slack' }), 1);
  assert.equal(sampleValue(samples, 'fluxra_bridge_platform_connected', { platform: 'discord' }), 1);
  assert.ok((sampleValue(samples, 'fluxra_bridge_process_resident_memory_bytes') ?? 0) > 0, 'process metrics are exported');
});

test('a 429 from the fake Fluxra counts under rate_limited and upstream_errors for fluxra', async () => {
  const before = sampleValue(await scrape(base), 'fluxra_bridge_rate_limited_total', { service: 'fluxra' }) ?? 0;
  world.fluxra.inject({ kind: 'rateLimit', retryAfter: '0' });
  const samples = await waitForMetric(base, 'fluxra_bridge_rate_limited_total', { service: 'fluxra' }, before + 1);
  assert.equal(sampleValue(samples, 'fluxra_bridge_rate_limited_total', { service: 'fluxra' }), before + 1);
  assert.ok((sampleValue(samples, 'fluxra_bridge_upstream_errors_total', { service: 'fluxra', code: '429' }) ?? 0) >= 1);
});

test('the Blocks readiness probe spends one budget slot, and a 429 from the fake Blocks is counted', async () => {
  // The key has not been used since start: /readyz probes it once, through the budget, and that probe gets a 429 first.
  blocks.inject({ type: 'rate-limit', retryAfterSeconds: 0, method: 'GET' });
  const ready = await readiness(base);
  assert.equal(ready.body.checks['blocks'], 'ok', JSON.stringify(ready.body));
  const samples = await scrape(base);
  assert.equal(sampleValue(samples, 'fluxra_bridge_rate_limited_total', { service: 'blocks' }), 1);
  assert.equal(sampleValue(samples, 'fluxra_bridge_upstream_errors_total', { service: 'blocks', code: '429' }), 1);
  // The 429 and the retry that got 404 both went through the budget: two requests arrived, two slots used.
  assert.equal(blocks.state.requests.length, 2);
  assert.equal(sampleValue(samples, 'fluxra_bridge_rate_budget_used', { service: 'blocks' }), 2);
  assert.equal(sampleValue(samples, 'fluxra_bridge_rate_budget_limit', { service: 'blocks' }), 100);
  assert.equal(sampleValue(samples, 'fluxra_bridge_rate_budget_window_seconds', { service: 'blocks' }), 60);
  assert.equal(sampleValue(samples, 'fluxra_bridge_rate_budget_queued', { service: 'blocks', priority: 'interactive' }), 0);
  assert.ok(sampleValue(samples, 'fluxra_bridge_rate_budget_used', { service: 'fluxra' }) !== undefined, 'the Fluxra budget is reported too');

  // A second probe within the staleness period reads the last answer: no request is spent.
  await readiness(base);
  assert.equal(blocks.state.requests.length, 2);
});

test('after mirroring both ways on both platforms, /metrics names no conversation, channel, guild or person', async () => {
  const discordPerson = DISCORD_PEOPLE[1];
  world.discord.sendMessage({ channelId: group().discordChannel!, content: 'discord metrics hello', author: { id: discordPerson.id, username: discordPerson.username } });
  await waitForMetric(base, 'fluxra_bridge_messages_mirrored_total', { direction: 'to_fluxra', platform: 'discord' }, 1);
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  assert.equal(res.status, 200);
  const ids = [
    group().conversationId,
    group().slackChannel!,
    group().discordChannel!,
    GUILD_ID,
    ...SLACK_PEOPLE.map((p) => p.id),
    ...DISCORD_PEOPLE.map((p) => p.id),
    ...group().agents.map((a) => a.agentId),
  ];
  for (const id of ids) assert.ok(!text.includes(id), `/metrics mentions ${id}`);
  assert.ok(!/conv_/.test(text), '/metrics mentions a conversation id');
  // Every label value is one of a few bounded words, never an id.
  for (const sample of parseSamples(text)) {
    for (const [label, value] of Object.entries(sample.labels)) assert.ok(!/\d{6,}|^[CUGDW][A-Z0-9]{6,}$|^(conv|agt)_/.test(value), `${sample.name}{${label}="${value}"}`);
  }
});

test('METRICS_TOKEN guards /metrics only: 401 without or with a wrong token, 200 with it; the probes stay open', async () => {
  const bare = await fetch(`${base}/metrics`);
  assert.equal(bare.status, 401);
  assert.ok(!(await bare.text()).includes('fluxra_bridge_'), 'a refused scrape shows no metric');
  assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all-000' } })).status, 401);
  assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: `Basic ${METRICS_TOKEN}` } })).status, 401);
  assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status, 200);
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  assert.notEqual((await fetch(`${base}/readyz`)).status, 401);
  assert.ok(!bridge.stdout().includes(METRICS_TOKEN), 'the token never reaches the log');
});

test('Discord registration: /agent and /bridge open to every member, /block behind Manage Channels', async () => {
  const registered = await waitFor(
    () => world.discord.state.commands.get(GUILD_ID) as Array<{ name: string; default_member_permissions: string | null }> | undefined,
    'commands registered',
  );
  const permissionOf = Object.fromEntries(registered.map((command) => [command.name, command.default_member_permissions]));
  assert.deepEqual(Object.keys(permissionOf).sort(), ['agent', 'block', 'bridge']);
  assert.equal(permissionOf['agent'], null);
  assert.equal(permissionOf['bridge'], null);
  assert.equal(permissionOf['block'], String(1n << 4n), 'Manage Channels');
});
