/**
 * What the console does to a visitor's text before a simulated platform receives it, as
 * the real clients do: Slack's and Discord's composers turn a picked `@name` or `#channel`
 * into the mention syntax (`<@U…>`, `<#C…>`; `<@123…>`, `<#123…>`) that the bridge (and
 * every bot) receives.
 */

/** Names a visitor can mention, lower case, without the `@`, to the platform's user id. */
export type MentionDirectory = Readonly<Record<string, string>>;

/**
 * `@bridge hello` → `<@UBOT> hello`, `see #sandbox` → `see <#C0SANDBOX>`. Only whole known
 * names (followed by a space, punctuation or the end) become mentions, so `@bridget`, e-mail
 * addresses and `#hashtags` of no channel stay text.
 */
export function mentionsToPlatform(text: string, people: MentionDirectory, channels: MentionDirectory = {}): string {
  return text.replace(/(^|[^\w@#.<])([@#])([\w-]+)(?![\w-])/g, (whole, before: string, sigil: string, name: string) => {
    const id = (sigil === '@' ? people : channels)[name.toLowerCase()];
    return id === undefined ? whole : `${before}<${sigil}${id}>`;
  });
}

/**
 * A person's Slack message as Slack delivers it: `&`, `<` and `>` typed by the person arrive
 * encoded (`&amp;`, `&lt;`, `&gt;`), so that `<…>` is only ever Slack's own markup; then the
 * mentions. (Discord sends text as typed.)
 */
export function slackTyped(text: string, people: MentionDirectory, channels: MentionDirectory): string {
  return mentionsToPlatform(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), people, channels);
}

/** The file the console's Attach button adds to a message (served by the console itself). */
export const SAMPLE_ATTACHMENT = { name: 'sandbox-notes.txt', type: 'text/plain', body: 'Notes attached from the fluxra-bridge sandbox console.\n' } as const;
