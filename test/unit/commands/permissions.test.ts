import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPermissions } from '../../../src/commands/permissions.js';
import type { CommandUser } from '../../../src/core/chat.js';

const user = (id: string, isPrivileged = false): CommandUser => ({ id, displayName: 'someone', isPrivileged });
const SLACK_ALLOWED = 'U0ALLOWED';
const DISCORD_ALLOWED = '300000000000000001';

const defaults = { slackAllowedUserIds: [SLACK_ALLOWED], discordAllowedUserIds: [DISCORD_ALLOWED], allowPrivilegedUsers: true };

test('people on the platform allow-list may run restricted commands', () => {
  const permissions = createPermissions(defaults);
  assert.deepEqual(permissions.check('slack', user(SLACK_ALLOWED), 'block'), { allowed: true, reason: 'allow-list' });
  assert.deepEqual(permissions.check('discord', user(DISCORD_ALLOWED), 'block'), { allowed: true, reason: 'allow-list' });
});

test('the allow-lists are per platform: a Slack ID does not open Discord', () => {
  const permissions = createPermissions({ ...defaults, slackAllowedUserIds: [DISCORD_ALLOWED], discordAllowedUserIds: [] });
  assert.equal(permissions.check('discord', user(DISCORD_ALLOWED), 'block').allowed, false);
});

test('allow-list matching is exact (IDs are case-sensitive)', () => {
  const permissions = createPermissions(defaults);
  assert.equal(permissions.check('slack', user(SLACK_ALLOWED.toLowerCase()), 'block').allowed, false);
});

test('privileged people pass when allowPrivilegedUsers is on', () => {
  const permissions = createPermissions(defaults);
  assert.deepEqual(permissions.check('slack', user('U0OWNER', true), 'block'), { allowed: true, reason: 'privileged' });
  assert.deepEqual(permissions.check('discord', user('300000000000000009', true), 'block'), { allowed: true, reason: 'privileged' });
});

test('privileged people are refused when allowPrivilegedUsers is off, unless listed', () => {
  const permissions = createPermissions({ ...defaults, allowPrivilegedUsers: false });
  const decision = permissions.check('slack', user('U0OWNER', true), 'block');
  assert.deepEqual(decision, { allowed: false, message: "Only people on the bridge's allow-list can block; ask an admin to add you." });
  assert.equal(permissions.check('slack', user(SLACK_ALLOWED, true), 'block').allowed, true);
});

test('refusals say who may, in the words of each platform', () => {
  const permissions = createPermissions(defaults);
  assert.deepEqual(permissions.check('slack', user('U0OTHER'), 'block'), {
    allowed: false,
    message: "Only workspace admins and owners or people on the bridge's allow-list can block; ask an admin.",
  });
  assert.deepEqual(permissions.check('discord', user('300000000000000009'), 'manage bridge links'), {
    allowed: false,
    message: "Only members who can manage channels or people on the bridge's allow-list can manage bridge links; ask an admin.",
  });
});

test('with no allow-list and no privileged access, the refusal says nobody can yet', () => {
  const permissions = createPermissions({ slackAllowedUserIds: [], discordAllowedUserIds: [], allowPrivilegedUsers: false });
  assert.deepEqual(permissions.check('discord', user('300000000000000009', true), 'block'), {
    allowed: false,
    message: "Nobody on Discord can block yet: the bridge's allow-list is empty; ask an admin.",
  });
});

test('commands are hidden from unprivileged Discord members only when there is no Discord allow-list', () => {
  assert.equal(createPermissions(defaults).privilegedOnlyOnDiscord, false);
  assert.equal(createPermissions({ ...defaults, discordAllowedUserIds: [] }).privilegedOnlyOnDiscord, true);
});

test('later changes to the config arrays do not change the rules', () => {
  const list = [SLACK_ALLOWED];
  const permissions = createPermissions({ ...defaults, slackAllowedUserIds: list });
  list.push('U0LATER');
  assert.equal(permissions.check('slack', user('U0LATER'), 'block').allowed, false);
});
