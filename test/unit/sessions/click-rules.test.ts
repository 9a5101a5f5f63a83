import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ButtonPress, FormSubmission, MessageRef } from '../../../src/core/chat.js';
import {
  buttonSessionRecordId,
  buttonStartRequest,
  echoedMessage,
  followUpForm,
  followUpRequestId,
  followUpThreadRoot,
  MAX_SUBMISSION_TEXT,
  newSessionForm,
  pressOutcome,
  replayKey,
  submissionRoute,
  submissionText,
} from '../../../src/sessions/buttons/click-rules.js';
import type { AgentSessionRecord } from '../../../src/sessions/types.js';

const threadSession: AgentSessionRecord = {
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
const channelSession: AgentSessionRecord = { ...threadSession, id: 'ch:slack:C1:lq2x3:1' };

// A Slack view_submission as the adapter hands it over.
const submission: FormSubmission = {
  kind: 'form',
  platform: 'slack',
  eventId: 'V0123ABC',
  receivedAt: 1_700_000_100_000,
  placeId: 'T1',
  form: 'follow-up',
  value: threadSession.id,
  text: '  and the tests too  ',
  user: { id: 'U2', displayName: 'Grace', isPrivileged: false },
  channel: { platform: 'slack', channelId: 'C1' },
};

test('a replay key names the platform, the kind of interaction and its id', () => {
  assert.equal(replayKey(submission), 'status-button:slack:form:V0123ABC');
  const press: ButtonPress = {
    kind: 'button',
    platform: 'discord',
    eventId: '1180000000000000001',
    receivedAt: 0,
    action: 'follow-up',
    value: threadSession.id,
    user: { id: '42', displayName: 'Grace', isPrivileged: false },
    channel: { platform: 'discord', channelId: '900' },
    message: { platform: 'discord', channelId: '900', messageId: '901' },
  };
  assert.equal(replayKey(press), 'status-button:discord:button:1180000000000000001');
});

test('New session in a bound channel marks the channel; every other press opens its form', () => {
  assert.equal(pressOutcome('new-session', channelSession), 'start-new-in-channel');
  assert.equal(pressOutcome('new-session', threadSession), 'new-session-form');
  assert.equal(pressOutcome('follow-up', channelSession), 'follow-up-form');
  assert.equal(pressOutcome('follow-up', threadSession), 'follow-up-form');
});

test('the forms name the agent (capped) and carry the session, with the pressed thread only for a bound channel', () => {
  const long = { ...threadSession, agentLabel: 'a'.repeat(40) };
  assert.equal(followUpForm(long, undefined).label, `Your follow-up to ${'a'.repeat(30)}`);
  assert.equal(followUpForm(channelSession, '1700000001.000200').value, `${channelSession.id}@1700000001.000200`);
  assert.equal(followUpForm(threadSession, '1700000001.000200').value, threadSession.id);
  assert.deepEqual(newSessionForm(threadSession), {
    form: 'new-session',
    value: threadSession.id,
    title: 'New session',
    label: 'What should a fresh claude session do?',
    submitLabel: 'Start',
  });
});

test('submitted text is trimmed and capped; blank is empty', () => {
  assert.equal(submissionText('  hi \n'), 'hi');
  assert.equal(submissionText(' \n\t '), '');
  assert.equal(submissionText('x'.repeat(MAX_SUBMISSION_TEXT + 10)).length, MAX_SUBMISSION_TEXT);
});

test('a submission is a follow-up, a fresh session in a session thread, or not ours', () => {
  assert.equal(submissionRoute('follow-up', threadSession), 'follow-up');
  assert.equal(submissionRoute('follow-up', channelSession), 'follow-up');
  assert.equal(submissionRoute('new-session', threadSession), 'start-fresh');
  assert.equal(submissionRoute('new-session', channelSession), 'unknown', 'a bound channel starts anew with a press, not a form');
  assert.equal(submissionRoute('something-else', threadSession), 'unknown');
});

test('a follow-up goes to the pressed thread only in a bound channel, and is counted against its own queue there', () => {
  assert.equal(followUpThreadRoot(channelSession, '1700000001.000200'), '1700000001.000200');
  assert.equal(followUpThreadRoot(channelSession, undefined), channelSession.threadRoot.messageId);
  assert.equal(followUpThreadRoot(threadSession, '1700000001.000200'), threadSession.threadRoot.messageId);
  assert.equal(followUpRequestId(channelSession, 'V1'), 'chan:btn:V1');
  assert.equal(followUpRequestId(threadSession, 'V1'), 'fu:btn:V1');
});

test('the echoed follow-up is a message by the person, in the thread, private when the session is', () => {
  const ref: MessageRef = { platform: 'slack', channelId: 'C1', messageId: '1700000002.000300' };
  const message = echoedMessage(submission, threadSession, ref, '1700000000.000100');
  assert.deepEqual(message, {
    kind: 'message',
    platform: 'slack',
    eventId: 'button:V0123ABC',
    receivedAt: 1_700_000_100_000,
    placeId: 'T1',
    ref: { ...ref, threadRootId: '1700000000.000100' },
    author: { id: 'U2', displayName: 'Grace', isBot: false, isSelf: false },
    text: '',
    attachments: [],
    mentionsBot: false,
  });
  const { placeId: _placeId, ...noPlace } = submission;
  const privateEcho = echoedMessage(noPlace, { ...threadSession, isPrivate: true }, ref, '1700000000.000100');
  assert.equal(privateEcho.privateChannel, true);
  assert.equal('placeId' in privateEcho, false);
});

test('a fresh session from the form keeps the agent, thread and privacy, and carries its quota ticket', () => {
  const ticket = { member: 'm1', subjects: ['user:U2'] };
  const request = buttonStartRequest({ ...submission, form: 'new-session' }, { ...threadSession, isPrivate: true }, 'start over', 5, ticket);
  assert.equal(request.sessionRecordId, buttonSessionRecordId(submission));
  assert.equal(request.sessionRecordId, 'b:slack:V0123ABC');
  assert.deepEqual(request, {
    kind: 'start',
    sessionRecordId: 'b:slack:V0123ABC',
    origin: 'button',
    channel: threadSession.channel,
    threadRoot: threadSession.threadRoot,
    askedBy: { id: 'U2', displayName: 'Grace' },
    agent: threadSession.agent,
    agentLabel: 'claude',
    prompt: 'start over',
    requestedAt: 5,
    isPrivate: true,
    placeId: 'T1',
    quota: ticket,
  });
  const plain = buttonStartRequest(submission, threadSession, 'p', 5, undefined);
  assert.equal('quota' in plain || 'isPrivate' in plain, false);
});
