/**
 * The Slack adapter's buttons and forms over HTTP mode (the Request URL, signed form posts
 * carrying `payload=`), with the real Bolt: a message posted with buttons carries Block Kit,
 * a click arrives as a neutral press and may open a modal with its trigger_id, a submission
 * arrives as a neutral form, a forged signature is refused, and a link button is only acked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ButtonPress, FormSubmission } from '../../src/core/chat.js';
import { startSlackPair } from '../support/slack-harness.js';

const CHANNEL = 'C0HTTPBTN';

test('Slack HTTP mode: a click is a press that opens a form; the submission is a form; a forged click is refused', async () => {
  const pair = await startSlackPair('http', { fake: { users: [{ id: 'UADA', name: 'ada', displayName: 'Ada' }] } });
  try {
    const { fake, adapter } = pair;
    pair.setBehaviour(async (event) => {
      if (event.kind === 'button') await adapter.openForm?.(event, { form: 'follow-up', value: event.value, title: 'Follow up', label: 'Your follow-up', submitLabel: 'Send' });
      if (event.kind === 'form') await adapter.reply(event, { text: `Got: ${event.text}` });
    });
    const [posted] = await adapter.post(
      { platform: 'slack', channelId: CHANNEL },
      {
        text: 'claude is working…',
        buttons: [
          { kind: 'action', action: 'follow-up', label: 'Follow up', value: 'c:slack:1' },
          { kind: 'link', label: 'Open in Blocks', url: 'https://blocks.team/s/1' },
        ],
      },
    );
    const message = fake.state.findMessage(CHANNEL, posted!.messageId)!;
    assert.equal(message.blocks?.length, 2);

    const forged = await fake.clickButton({ channel: CHANNEL, messageTs: message.ts, actionId: 'follow-up', userId: 'UADA' }, { via: 'http', forgeSignature: true });
    assert.equal(forged.status, 401);

    const link = await fake.clickButton({ channel: CHANNEL, messageTs: message.ts, actionId: 'open-link', userId: 'UADA' }, { via: 'http' });
    assert.equal(link.status, 200);

    const clicked = await fake.clickButton({ channel: CHANNEL, messageTs: message.ts, actionId: 'follow-up', userId: 'UADA' }, { via: 'http' });
    assert.equal(clicked.status, 200);
    const press = (await pair.waitForEvent((event) => event.kind === 'button', 'the press')) as ButtonPress;
    assert.equal(press.action, 'follow-up');
    assert.equal(press.value, 'c:slack:1');
    assert.equal(press.user.displayName, 'Ada');
    assert.equal(press.placeId, fake.teamId);
    const view = await fake.state.waitFor(() => fake.state.views[0], 'the modal');
    assert.equal(view.triggerId, clicked.triggerId);
    assert.equal(pair.events.filter((event) => event.kind === 'button').length, 1, 'the forged click and the link click reached nobody');

    const submitted = await fake.submitView(view.id, 'also the docs', { via: 'http' });
    assert.equal(submitted.status, 200);
    const form = (await pair.waitForEvent((event) => event.kind === 'form', 'the submission')) as FormSubmission;
    assert.deepEqual([form.form, form.value, form.text, form.channel.channelId], ['follow-up', 'c:slack:1', 'also the docs', CHANNEL]);
    const whisper = await fake.state.waitFor(() => fake.state.callsTo('chat.postEphemeral')[0], 'the private answer');
    assert.deepEqual([whisper.args['channel'], whisper.args['user'], whisper.args['text']], [CHANNEL, 'UADA', 'Got: also the docs']);
  } finally {
    await pair.stop();
  }
});
