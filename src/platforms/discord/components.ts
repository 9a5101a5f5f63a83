/**
 * Buttons and forms on Discord: neutral buttons as message components (an action row of
 * buttons; `custom_id` = `<action>|<value>`, at most 100 characters), forms as modals (the
 * type 9 interaction response), and the custom ids of MESSAGE_COMPONENT and MODAL_SUBMIT
 * interactions read back. Shapes: discord.com/developers/docs/interactions/message-components.
 */
import type { FormSpec, MessageButton } from '../../core/chat.js';

/** Discord's limits: a custom_id holds 100 characters, a modal title and a text input label 45. */
const MAX_CUSTOM_ID = 100;
const MAX_MODAL_TEXT = 45;
/** The custom_id of a form's text box. */
export const FORM_TEXT_ID = 'text';

const ButtonStyle = { Primary: 1, Secondary: 2, Link: 5 } as const;

/** `<action>|<value>`, or undefined when it would not fit in a custom_id. */
export function customIdOf(action: string, value: string): string | undefined {
  const id = `${action}|${value}`;
  return id.length <= MAX_CUSTOM_ID && !action.includes('|') ? id : undefined;
}

/** A custom_id read back: what follows the first `|` is the value. */
export function parseCustomId(customId: string): { action: string; value: string } | undefined {
  const bar = customId.indexOf('|');
  if (bar <= 0) return undefined;
  return { action: customId.slice(0, bar), value: customId.slice(bar + 1) };
}

/** The `components` of a message with buttons (one action row); undefined when none fit. */
export function buttonComponents(buttons: readonly MessageButton[] | undefined): Array<Record<string, unknown>> | undefined {
  if (!buttons || buttons.length === 0) return undefined;
  const row: Array<Record<string, unknown>> = [];
  for (const [index, button] of buttons.entries()) {
    if (button.kind === 'link') {
      row.push({ type: 2, style: ButtonStyle.Link, label: button.label.slice(0, 80), url: button.url });
      continue;
    }
    const customId = customIdOf(button.action, button.value);
    if (customId) row.push({ type: 2, style: index === 0 ? ButtonStyle.Primary : ButtonStyle.Secondary, label: button.label.slice(0, 80), custom_id: customId });
  }
  // An action row holds at most five buttons.
  return row.length === 0 ? undefined : [{ type: 1, components: row.slice(0, 5) }];
}

/** The modal of the type 9 response: one paragraph text input. */
export function modalData(form: FormSpec): { custom_id: string; title: string; components: Array<Record<string, unknown>> } | undefined {
  const customId = customIdOf(form.form, form.value);
  if (!customId) return undefined;
  return {
    custom_id: customId,
    title: form.title.slice(0, MAX_MODAL_TEXT),
    components: [
      {
        type: 1,
        components: [
          {
            type: 4,
            custom_id: FORM_TEXT_ID,
            style: 2,
            label: form.label.slice(0, MAX_MODAL_TEXT),
            required: true,
            max_length: 4000,
            ...(form.placeholder ? { placeholder: form.placeholder.slice(0, 100) } : {}),
          },
        ],
      },
    ],
  };
}
