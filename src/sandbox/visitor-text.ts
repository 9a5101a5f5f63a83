/**
 * What the console does to a visitor's text before a simulated platform receives it, as
 * the real clients do: Slack's and Discord's composers turn a picked `@name` into the
 * mention syntax (`<@U…>`, `<@123…>`) that the bridge (and every bot) receives.
 */

/** Names a visitor can mention, lower case, without the `@`, to the platform's user id. */
export type MentionDirectory = Readonly<Record<string, string>>;

/**
 * `@bridge hello` → `<@UBOT> hello`. Only whole names (followed by a space, punctuation or the
 * end) become mentions, so `@bridget` and e-mail addresses stay text.
 */
export function mentionsToPlatform(text: string, directory: MentionDirectory): string {
  return text.replace(/(^|[^\w@.<])@([\w-]+)(?![\w-])/g, (whole, before: string, name: string) => {
    const id = directory[name.toLowerCase()];
    return id === undefined ? whole : `${before}<@${id}>`;
  });
}

/** The file the console's Attach button adds to a message (served by the console itself). */
export const SAMPLE_ATTACHMENT = { name: 'sandbox-notes.txt', type: 'text/plain', body: 'Notes attached from the fluxra-bridge sandbox console.\n' } as const;
