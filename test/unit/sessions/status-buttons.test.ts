import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUTTON_TEXT, buttonRefusal } from '../../../src/sessions/buttons/button-rules.js';
import { formValue, parseFormValue } from '../../../src/sessions/buttons/click-rules.js';
import { parseSessionReference, statusButtons, statusMessage } from '../../../src/sessions/buttons/status-buttons.js';
import type { AgentSessionRecord } from '../../../src/sessions/types.js';

const session: AgentSessionRecord = {
  id: 'c:slack:1700000000.42.abc',
  threadRoot: { platform: 'slack', channelId: 'C1', messageId: '1700000000.000100' },
  platform: 'slack',
  channel: { platform: 'slack', channelId: 'C1' },
  agentLabel: 'claude',
  agent: { agentName: 'claude' },
  askedBy: { id: 'U1', displayName: 'Ada' },
  state: 'active',
  turnCount: 1,
  createdAt: 0,
  placeId: 'T1',
  sessionUrl: 'https://blocks.team/app/w/sessions/1',
};
const pressed = { platform: 'slack' as const, channelId: 'C1', placeId: 'T1' };

test('a status message carries Follow up, New session and the Blocks link, on every text', () => {
  assert.deepEqual(
    statusButtons(session).map((b) => (b.kind === 'link' ? b.url : `${b.action}:${b.value}`)),
    ['follow-up:c:slack:1700000000.42.abc', 'new-session:c:slack:1700000000.42.abc', 'https://blocks.team/app/w/sessions/1'],
  );
  assert.deepEqual(statusMessage(session, 'claude: done.').buttons, statusButtons(session));
  assert.deepEqual(statusButtons({ id: session.id, sessionUrl: 'javascript:alert(1)' }).length, 2, 'only http(s) links');
});

test('a session reference is accepted only in the shape of our ids and within the length a custom_id leaves', () => {
  assert.equal(parseSessionReference('ch:discord:2000:lq2x3:1'), 'ch:discord:2000:lq2x3:1');
  assert.equal(parseSessionReference('m:slack:C1:1700000000.000100'), 'm:slack:C1:1700000000.000100');
  for (const bad of ['', 'x:1', 'c:', 'c:a b', 'c:<@U1>', `c:${'1'.repeat(90)}`]) assert.equal(parseSessionReference(bad), undefined, bad);
});

test('a form value names the thread only for a bound channel, and is read back validated', () => {
  assert.equal(formValue(session.id, '1700000000.000100'), session.id);
  assert.equal(formValue('ch:slack:C1:lq2:1', '1700000000.000100'), 'ch:slack:C1:lq2:1@1700000000.000100');
  assert.deepEqual(parseFormValue('ch:slack:C1:lq2:1@1700000000.000100'), { sessionRecordId: 'ch:slack:C1:lq2:1', threadRootId: '1700000000.000100' });
  assert.equal(parseFormValue('ch:slack:C1:lq2:1@../../x'), undefined);
});

test('button refusals: gone, another channel, another place, never started, ended, replaced, unlinked', () => {
  assert.equal(buttonRefusal({ session: undefined, pressed }), BUTTON_TEXT.gone);
  assert.equal(buttonRefusal({ session, pressed: { ...pressed, channelId: 'C2' }, threadOwnerId: session.id }), BUTTON_TEXT.elsewhere);
  assert.equal(buttonRefusal({ session, pressed: { ...pressed, platform: 'discord' }, threadOwnerId: session.id }), BUTTON_TEXT.elsewhere);
  assert.equal(buttonRefusal({ session, pressed: { ...pressed, placeId: 'T2' }, threadOwnerId: session.id }), BUTTON_TEXT.otherPlace);
  assert.equal(buttonRefusal({ session: { ...session, state: 'failed' }, pressed, threadOwnerId: session.id }), BUTTON_TEXT.failed);
  assert.equal(buttonRefusal({ session: { ...session, endedAt: 5 }, pressed, threadOwnerId: session.id }), BUTTON_TEXT.ended);
  assert.equal(buttonRefusal({ session, pressed, threadOwnerId: 'b:slack:newer' }), BUTTON_TEXT.replaced);
  assert.equal(buttonRefusal({ session, pressed, threadOwnerId: session.id }), undefined);
  const bound = { ...session, id: 'ch:slack:C1:lq2:1' };
  assert.equal(buttonRefusal({ session: bound, pressed, binding: null }), BUTTON_TEXT.unlinked);
  assert.equal(buttonRefusal({ session: bound, pressed, binding: {} }), BUTTON_TEXT.replaced);
  assert.equal(buttonRefusal({ session: bound, pressed, binding: { sessionRecordId: bound.id } }), undefined);
});
