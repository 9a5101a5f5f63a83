import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPermissions } from '../../../src/commands/permissions.js';
import { createCommandRouter, UNEXPECTED_ERROR_ANSWER } from '../../../src/commands/router.js';
import type { CommandHandler, ParseResult } from '../../../src/commands/types.js';
import { ConfigError, RateLimitedError, UpstreamError, UserInputError } from '../../../src/core/errors.js';
import { captureLogger, createRecordingAdapter, invocation } from './helpers.js';

/**
 * A small command for exercising the router's own rules: `/probe open`, `/probe secret`,
 * `/probe throw <kind>`. The real `/block` runs through the router in block.test.ts.
 */
type Probe = { word: 'open' | 'secret' } | { word: 'throw'; kind: string };

function createProbeCommand(name = 'probe'): CommandHandler<Probe> & { runs: Probe[] } {
  const runs: Probe[] = [];
  return {
    name,
    runs,
    permissionVerb: 'probe',
    spec: { description: 'Probe', subcommands: [{ name: 'open', description: 'open', options: [] }] },
    parse(args): ParseResult<Probe> {
      if (args[0] === 'open' || args[0] === 'secret') return { ok: true, value: { word: args[0] } };
      if (args[0] === 'throw') return { ok: true, value: { word: 'throw', kind: args[1] ?? '' } };
      if (args[0] === 'parser-bug') throw new TypeError('cannot read properties of undefined');
      return { ok: false, message: `usage: /${name} open|secret (got ${args.length} words)` };
    },
    access: (value) => (value.word === 'open' ? 'everyone' : 'restricted'),
    async run(value) {
      runs.push(value);
      if (value.word !== 'throw') return `ran ${value.word}`;
      const details = { service: 'fluxra' as const, method: 'POST', url: 'http://fluxra.test/api/blocks' };
      switch (value.kind) {
        case 'input':
          throw new UserInputError('That channel is archived.');
        case 'ratelimit':
          throw new RateLimitedError('429', { ...details, status: 429, retryAfterMs: 7_200, retryAfterFromServer: true });
        case 'network':
          throw new UpstreamError('UNREACHABLE', 'connect ECONNREFUSED', { ...details, status: 0 });
        case 'auth':
          throw new UpstreamError('HTTP_401', 'plain-text 401', { ...details, status: 401, detail: 'Unauthorized' });
        case 'server':
          throw new UpstreamError('INTERNAL_ERROR', 'boom', { ...details, status: 503 });
        case 'odd-status':
          throw new UpstreamError('TEAPOT', 'teapot', { ...details, status: 418 });
        default:
          throw new TypeError("Cannot read properties of undefined (reading 'blockId') Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
      }
    },
  };
}

const permissions = createPermissions({ slackAllowedUserIds: ['U0ALLOWED'], discordAllowedUserIds: [], allowPrivilegedUsers: true });

function setUp() {
  const probe = createProbeCommand();
  const log = captureLogger();
  const router = createCommandRouter({ handlers: [probe], permissions, logger: log.logger });
  const adapter = createRecordingAdapter('slack');
  return { probe, log, router, adapter };
}

test('answers a permitted command with what the handler returned, ephemerally', async () => {
  const { router, adapter, probe, log } = setUp();
  const inv = invocation({ command: 'probe', text: 'secret', userId: 'U0ALLOWED' });
  await router.handle(inv, adapter);
  assert.equal(adapter.onlyReply(), 'ran secret');
  assert.equal(adapter.replies[0]!.invocation, inv);
  assert.deepEqual(adapter.replies[0]!.options, { ephemeral: true });
  assert.deepEqual(probe.runs, [{ word: 'secret' }]);
  const line = log.lines.find((l) => l['msg'] === 'command handled');
  assert.equal(line?.['outcome'], 'answered');
  assert.equal(line?.['userId'], 'U0ALLOWED');
  assert.equal(line?.['command'], 'probe');
});

test('a parse failure is answered with the parser message and runs nothing', async () => {
  const { router, adapter, probe } = setUp();
  await router.handle(invocation({ command: 'probe', text: 'what' }), adapter);
  assert.equal(adapter.onlyReply(), 'usage: /probe open|secret (got 1 words)');
  assert.deepEqual(probe.runs, []);
});

test('empty words from doubled spaces or empty options are ignored', async () => {
  const { router, adapter } = setUp();
  await router.handle(invocation({ command: 'probe', args: ['', 'open', ''] }), adapter);
  assert.equal(adapter.onlyReply(), 'ran open');
});

test('a restricted subcommand refuses someone not allowed, saying why, and runs nothing', async () => {
  const { router, adapter, probe, log } = setUp();
  await router.handle(invocation({ command: 'probe', text: 'secret', userId: 'U0OTHER' }), adapter);
  assert.equal(adapter.onlyReply(), "Only workspace admins and owners or people on the bridge's allow-list can probe; ask an admin.");
  assert.deepEqual(probe.runs, []);
  assert.equal(log.lines.find((l) => l['msg'] === 'command handled')?.['outcome'], 'refused');
});

test('privileged people pass; open subcommands need no permission', async () => {
  const { router, adapter } = setUp();
  await router.handle(invocation({ command: 'probe', text: 'secret', userId: 'U0OWNER', privileged: true }), adapter);
  await router.handle(invocation({ command: 'probe', text: 'open', userId: 'U0OTHER' }), adapter);
  assert.deepEqual(
    adapter.replies.map((r) => r.message.text),
    ['ran secret', 'ran open'],
  );
});

test('a UserInputError from a handler is shown as it is', async () => {
  const { router, adapter } = setUp();
  await router.handle(invocation({ command: 'probe', text: 'throw input', userId: 'U0ALLOWED' }), adapter);
  assert.equal(adapter.onlyReply(), 'That channel is archived.');
});

test('upstream failures get the same short answer for every command, and a warning in the log', async () => {
  const cases: Array<[string, string]> = [
    ['ratelimit', 'Fluxra is asking the bridge to slow down; try again in 8 s.'],
    ['network', 'Fluxra is not answering; try again in a minute.'],
    ['auth', "The bridge's Fluxra credentials are not accepted: tell an admin."],
    ['server', 'Fluxra had a problem (HTTP 503); try again in a minute.'],
  ];
  for (const [kind, answer] of cases) {
    const { router, adapter, log } = setUp();
    await router.handle(invocation({ command: 'probe', text: `throw ${kind}`, userId: 'U0ALLOWED' }), adapter);
    assert.equal(adapter.onlyReply(), answer, kind);
    const warning = log.lines.find((l) => l['level'] === 40);
    assert.ok(warning, `${kind}: no warning logged`);
    assert.equal(warning['url'], 'http://fluxra.test/api/blocks');
  }
});

test('an unexpected error answers "something went wrong" and logs the detail, redacted', async () => {
  for (const text of ['throw bug', 'throw odd-status', 'parser-bug']) {
    const { router, adapter, log } = setUp();
    await router.handle(invocation({ command: 'probe', text, userId: 'U0ALLOWED' }), adapter);
    assert.equal(adapter.onlyReply(), UNEXPECTED_ERROR_ANSWER, text);
    assert.doesNotMatch(adapter.onlyReply(), /TypeError|at /);
    const error = log.lines.find((l) => l['level'] === 50);
    assert.ok(error, `${text}: no error logged`);
    assert.match(String(error['msg']), /command failed: (TypeError|UpstreamError)/);
    assert.doesNotMatch(JSON.stringify(log.lines), /eyJhbGciOiJIUzI1NiJ9/);
  }
});

test('a failed reply is logged, and handle still resolves', async () => {
  const probe = createProbeCommand();
  const log = captureLogger();
  const router = createCommandRouter({ handlers: [probe], permissions, logger: log.logger });
  await router.handle(invocation({ command: 'probe', text: 'open' }), createRecordingAdapter('slack', { failReplies: true }));
  const error = log.lines.find((l) => l['level'] === 50);
  assert.match(String(error?.['msg']), /could not answer the command: Error: response_url expired/);
});

test('a command the router does not have is answered, not dropped', async () => {
  const { router, adapter } = setUp();
  await router.handle(invocation({ command: 'nope<@U1>' }), adapter);
  assert.equal(adapter.onlyReply(), 'The bridge has no `/nope\uFFFD\uFFFDU1\uFFFD` command.');
});

test('the log line of a command carries at most a few shortened words of what was typed', async () => {
  const { router, adapter, log } = setUp();
  await router.handle(invocation({ command: 'probe', args: ['x'.repeat(10_000), ...Array.from({ length: 100 }, () => 'w')] }), adapter);
  const line = log.lines.find((l) => l['msg'] === 'command handled');
  assert.ok(line);
  assert.ok(JSON.stringify(line['args']).length < 500);
});

test('specs carry the configured names and hide only privileged-registration commands, on Discord only without an allow-list', () => {
  const privileged = { ...createProbeCommand('fluxprobe'), registration: 'privileged' as const };
  const router = createCommandRouter({ handlers: [privileged, createProbeCommand('openprobe')], permissions, logger: captureLogger().logger });
  assert.equal(router.specs.length, 2);
  assert.equal(router.specs[0]!.name, 'fluxprobe');
  assert.equal(router.specs[0]!.requiresPrivilege, true);
  // A command with open parts (like /agent or /bridge status) stays visible to every member.
  assert.equal(router.specs[1]!.requiresPrivilege, false);
  const withList = createPermissions({ slackAllowedUserIds: [], discordAllowedUserIds: ['300000000000000001'], allowPrivilegedUsers: true });
  const open = createCommandRouter({ handlers: [{ ...createProbeCommand(), registration: 'privileged' }], permissions: withList, logger: captureLogger().logger });
  assert.equal(open.specs[0]!.requiresPrivilege, false);
});

test('two commands with one name are a configuration error', () => {
  assert.throws(
    () => createCommandRouter({ handlers: [createProbeCommand('x'), createProbeCommand('x')], permissions, logger: captureLogger().logger }),
    (error: unknown) => error instanceof ConfigError && /two commands named "x"/.test(error.message),
  );
});
