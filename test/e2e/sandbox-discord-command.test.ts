/**
 * The sandbox's Discord pane reads typed commands the way Discord's client would send them,
 * against the command JSON the real Discord adapter registers for the bridge's real specs.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommandSpec } from '../../src/core/chat.js';
import { commandJson } from '../../src/platforms/discord/commands.js';
import { parseDiscordCommand } from '../../src/sandbox/discord-command.js';

const AGENT: CommandSpec = {
  name: 'agent',
  description: 'Ask a coding agent',
  requiresPrivilege: false,
  subcommands: [
    {
      name: 'ask',
      description: 'Start',
      options: [
        { name: 'prompt', description: 'What', required: true },
        { name: 'agent', description: 'Who', required: false },
      ],
    },
    { name: 'help', description: 'How', options: [] },
  ],
};
const BRIDGE: CommandSpec = {
  name: 'bridge',
  description: 'Links',
  requiresPrivilege: true,
  subcommands: [
    {
      name: 'link',
      description: 'Link',
      options: [
        { name: 'conversation', description: 'conv', required: true },
        { name: 'name', description: 'name', required: false },
      ],
    },
    { name: 'status', description: 'Status', options: [] },
  ],
};
const REGISTERED = [commandJson(AGENT), commandJson(BRIDGE)];

test('unnamed words fill options in order; a prompt and the last option take the rest', () => {
  assert.deepEqual(parseDiscordCommand('/bridge link new my-team', REGISTERED), {
    ok: true,
    commandName: 'bridge',
    subcommand: 'link',
    options: [
      { name: 'conversation', value: 'new' },
      { name: 'name', value: 'my-team' },
    ],
    shown: '/bridge link conversation:new name:my-team',
  });
  const ask = parseDiscordCommand('/agent ask fix the flaky test', REGISTERED);
  assert.ok(ask.ok);
  assert.deepEqual(ask.options, [{ name: 'prompt', value: 'fix the flaky test' }]);
});

test('options can be named as in Discord, and the first subcommand is used when none is named', () => {
  const named = parseDiscordCommand('/agent fix the flaky test agent:codex', REGISTERED);
  assert.ok(named.ok);
  assert.equal(named.subcommand, 'ask');
  assert.deepEqual(named.options, [
    { name: 'prompt', value: 'fix the flaky test' },
    { name: 'agent', value: 'codex' },
  ]);
  const bare = parseDiscordCommand('/bridge status', REGISTERED);
  assert.ok(bare.ok);
  assert.deepEqual([bare.subcommand, bare.options], ['status', []]);
});

test('refuses what Discord would not send: unknown commands, no subcommand, a missing required option', () => {
  const unknown = parseDiscordCommand('/block list', REGISTERED);
  assert.deepEqual(unknown, { ok: false, message: 'Discord has no /block command in this server. Registered: /agent, /bridge.' });
  assert.deepEqual(parseDiscordCommand('/bridge', REGISTERED), { ok: false, message: 'Choose a subcommand: /bridge link | status' });
  assert.deepEqual(parseDiscordCommand('/bridge link', REGISTERED), { ok: false, message: '/bridge link needs conversation: (e.g. conversation:…)' });
});
