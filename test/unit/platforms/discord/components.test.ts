import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buttonComponents, customIdOf, modalData, parseCustomId } from '../../../../src/platforms/discord/components.js';

test('buttons become one action row: primary first, link buttons style 5, custom ids within 100 characters', () => {
  const rows = buttonComponents([
    { kind: 'action', action: 'follow-up', label: 'Follow up', value: 'c:discord:1' },
    { kind: 'action', action: 'new-session', label: 'New session', value: 'x'.repeat(95) },
    { kind: 'link', label: 'Open in Blocks', url: 'https://blocks.team/s/1' },
  ]);
  assert.deepEqual(rows, [
    {
      type: 1,
      components: [
        { type: 2, style: 1, label: 'Follow up', custom_id: 'follow-up|c:discord:1' },
        { type: 2, style: 5, label: 'Open in Blocks', url: 'https://blocks.team/s/1' },
      ],
    },
  ]);
  assert.equal(buttonComponents([]), undefined);
});

test('a custom_id splits at its first bar; anything else is not ours', () => {
  assert.deepEqual(parseCustomId('follow-up|ch:discord:2:lq:1@123'), { action: 'follow-up', value: 'ch:discord:2:lq:1@123' });
  assert.equal(parseCustomId('follow-up'), undefined);
  assert.equal(parseCustomId('|x'), undefined);
  assert.equal(customIdOf('a|b', 'c'), undefined);
});

test('a form becomes the type 9 modal data: one paragraph text input, title and label cut to 45', () => {
  const modal = modalData({ form: 'follow-up', value: 'c:discord:1', title: 'Follow up', label: 'L'.repeat(60), submitLabel: 'Send' });
  assert.equal(modal?.custom_id, 'follow-up|c:discord:1');
  const input = (modal?.components[0] as { components: Array<Record<string, unknown>> }).components[0]!;
  assert.deepEqual(
    { type: input['type'], style: input['style'], custom_id: input['custom_id'], label: String(input['label']).length },
    { type: 4, style: 2, custom_id: 'text', label: 45 },
  );
});
