/**
 * The one mention model of neutral markdown. A mention that the source platform resolved
 * (a Slack `<@U1>`, a Discord `<@123>` listed in the message's `mentions`) travels as a
 * token that says who it is: `<@slack:U1|Alice>`, `<#discord:123|general>`,
 * `<@&slack:S1|devs>` (a role or user group). Each renderer writes a live mention only for
 * tokens of its own platform and a plain `@Alice` / `#general` / `@devs` for the others;
 * Fluxra always gets the plain form. There is no identity mapping between platforms: a
 * Discord user never pings a Slack user.
 *
 * Only inbound converters write tokens. Mention syntax that people typed as text (a Discord
 * user typing `<@U0SLACKADMIN>` or a whole token) is broken with a zero-width space after
 * the `<` (`breakMentionSyntax`), so that no renderer ever reads it as a mention.
 */

export type MentionPlatform = 'slack' | 'discord';
export type MentionKind = 'user' | 'channel' | 'role';

export interface Mention {
  kind: MentionKind;
  platform: MentionPlatform;
  id: string;
  /** The display name as the source platform resolved it (without `@` / `#`). */
  name: string;
}

/** U+200B: invisible, and breaks `<@…>` for every parser of ours and of the platforms. */
export const SYNTAX_BREAKER = '\u200B';

const SIGILS: Readonly<Record<MentionKind, string>> = { user: '@', channel: '#', role: '@&' };
const KINDS: Readonly<Record<string, MentionKind>> = { '@': 'user', '#': 'channel', '@&': 'role' };
/** Markdown characters that could start formatting inside a name: escaped in the token. */
const NAME_SPECIALS = /[\\*_~`[\]]/g;

/** A mention token: `<@slack:U1|Alice>`. */
export const MENTION_TOKEN = /<(@&|@|#)(slack|discord):([A-Za-z0-9]+)\|((?:\\.|[^<>|\n\\])*)>/g;

/** The token for a resolved mention. Names lose characters that could end or confuse it. */
export function mentionToken(mention: Mention): string {
  const name = cleanName(mention.name) || mention.id;
  return `<${SIGILS[mention.kind]}${mention.platform}:${mention.id}|${name.replace(NAME_SPECIALS, '\\$&')}>`;
}

function cleanName(name: string): string {
  // `@` could turn part of a name into a GFM email autolink and split the token.
  return name
    .replace(/[<>|@\p{Cc}]/gu, '')
    .replace(/^[#&]+/, '')
    .trim()
    .slice(0, 80);
}

/** The mention a token match names. */
function mentionOf(match: RegExpMatchArray): Mention {
  return {
    kind: KINDS[match[1] ?? '@'] ?? 'user',
    platform: match[2] as MentionPlatform,
    id: match[3] ?? '',
    name: (match[4] ?? '').replace(/\\(.)/g, '$1'),
  };
}

/** Every mention token in `text`, in order. */
export function mentionsIn(text: string): Mention[] {
  return [...text.matchAll(MENTION_TOKEN)].map(mentionOf);
}

/** Replaces every token with what `render` makes of it, and the text between with what `between` makes of it. */
export function renderMentions(text: string, render: (mention: Mention) => string, between: (text: string) => string = (plain) => plain): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(MENTION_TOKEN)) {
    out += between(text.slice(last, match.index)) + render(mentionOf(match));
    last = match.index + match[0].length;
  }
  return out + between(text.slice(last));
}

/** How a mention reads where it cannot be live: `@Alice`, `#general`, `@devs`. */
export function plainMention(mention: Mention): string {
  return `${mention.kind === 'channel' ? '#' : '@'}${mention.name}`;
}

/** Every token as its plain name (for Fluxra, and for agents' prompts). */
export function mentionsAsNames(text: string): string {
  return renderMentions(text, plainMention);
}

/**
 * Makes mention syntax in text that people (or agents) typed inert: `<@…>`, `<#…>` and
 * `<!…>` get a zero-width space after the `<`. They still read the same.
 */
export function breakMentionSyntax(text: string): string {
  return text.replace(/<(?=[@#!])/g, `<${SYNTAX_BREAKER}`);
}

/** The user ids of `platform` that `text` mentions: the only ones a post may ping. */
export function mentionedUserIds(text: string, platform: MentionPlatform): string[] {
  return [
    ...new Set(
      mentionsIn(text)
        .filter((mention) => mention.kind === 'user' && mention.platform === platform)
        .map((mention) => mention.id),
    ),
  ];
}
