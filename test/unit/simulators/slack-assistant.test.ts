/**
 * The fake Slack's side-pane methods answer as Slack's reference says: `channel_id` and
 * `thread_ts` name the thread, an unknown channel is `channel_not_found`, an unknown thread
 * `invalid_thread_ts`; prompts come form-encoded as a JSON string (the WebClient's way); the
 * app's reply in a pane thread clears its status.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createFakeSlack, type FakeSlack } from '../../../src/simulators/slack.js';

const TOKEN = 'xoxb-1111_2222_assistant_fake';
let fake: FakeSlack;

before(async () => {
  fake = await createFakeSlack({ botToken: TOKEN, users: [{ id: 'UADA', name: 'ada' }] });
});
after(async () => fake.close());

async function call(method: string, args: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${fake.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(args).toString(),
  });
  return (await response.json()) as Record<string, unknown>;
}

test('opening the pane makes a DM thread and an assistant_thread_started event as Slack documents it', () => {
  const pane = fake.openAssistantThread({ userId: 'UADA', contextChannel: 'C0GENERAL' });
  assert.match(pane.channel, /^D/);
  const event = pane.event as { type: string; assistant_thread: Record<string, unknown>; event_ts: string };
  assert.equal(event.type, 'assistant_thread_started');
  assert.deepEqual(event.assistant_thread, {
    user_id: 'UADA',
    context: { channel_id: 'C0GENERAL', team_id: fake.teamId, enterprise_id: null },
    channel_id: pane.channel,
    thread_ts: pane.threadTs,
  });
  assert.equal(fake.state.history(pane.channel)[0]?.subtype, 'assistant_app_thread');
});

test('assistant.threads.* set the thread, refuse unknown channels and threads, and a reply clears the status', async () => {
  const pane = fake.openAssistantThread({ userId: 'UADA' });
  const where = { channel_id: pane.channel, thread_ts: pane.threadTs };
  assert.deepEqual(await call('assistant.threads.setSuggestedPrompts', { ...where, prompts: JSON.stringify([{ title: 'A', message: 'Do A' }]), title: 'Try' }), { ok: true });
  assert.deepEqual(await call('assistant.threads.setTitle', { ...where, title: 'Doing A' }), { ok: true });
  assert.deepEqual(await call('assistant.threads.setStatus', { ...where, status: 'is thinking…' }), { ok: true });
  const thread = fake.state.assistantThread(pane.channel, pane.threadTs);
  assert.deepEqual(thread?.prompts, [{ title: 'A', message: 'Do A' }]);
  assert.equal(thread?.promptsTitle, 'Try');
  assert.equal(thread?.title, 'Doing A');
  assert.equal(thread?.status, 'is thinking…');

  assert.equal((await call('assistant.threads.setTitle', { channel_id: 'DNOPE', thread_ts: pane.threadTs, title: 'x' }))['error'], 'channel_not_found');
  assert.equal((await call('assistant.threads.setTitle', { channel_id: pane.channel, thread_ts: '1.000001', title: 'x' }))['error'], 'invalid_thread_ts');
  assert.equal((await call('assistant.threads.setSuggestedPrompts', { ...where, prompts: '[]' }))['error'], 'invalid_arguments');
  const five = JSON.stringify(Array.from({ length: 5 }, (_, i) => ({ title: `P${i}`, message: `M${i}` })));
  assert.equal((await call('assistant.threads.setSuggestedPrompts', { ...where, prompts: five }))['error'], 'invalid_arguments', 'at most four');

  assert.equal((await call('chat.postMessage', { channel: pane.channel, thread_ts: pane.threadTs, text: 'the answer' }))['ok'], true);
  assert.equal(fake.state.assistantThread(pane.channel, pane.threadTs)?.status, undefined);
});
