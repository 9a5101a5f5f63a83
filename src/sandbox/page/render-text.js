// How the console shows message text, as each platform shows it: Slack mrkdwn (entities
// decoded once, `<@U…>`/`<#C…>` as names), Discord markdown (`<@…>`/`<#…>` as names,
// backslash escapes), Fluxra's CommonMark; and the bridge's reactions as drawn icons.

export function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export const link = (url, label) => `<a href="${esc(url)}" target="_blank" rel="noreferrer">${esc(label)}</a>`;
const mention = (label) => `<span class="mention">${esc(label)}</span>`;

// Each platform's control sequences, rendered as that platform shows them. Slack:
// `<@U…>`, `<#C…|name>`, `<!here>`, `<url|label>`; Discord: `<@id>`, `<#id>`, `<@&id>`,
// `<:name:id>`, `<url>`. Names come from the view (`names`), else the label, else the id.
function slackSequence(body, names) {
  const [target, label] = body.split('|', 2);
  if (target.startsWith('@')) return mention(`@${names.users[target.slice(1)] ?? label ?? target.slice(1)}`);
  if (target.startsWith('#')) return mention(`#${names.channels[target.slice(1)] ?? label ?? target.slice(1)}`);
  if (target.startsWith('!')) return mention(`@${(label ?? target.slice(1)).replace(/^@/, '').replace(/^subteam\^\w+$/, 'group')}`);
  if (/^(https?:|mailto:)/.test(target)) return link(target, label ?? target);
  return undefined;
}

function discordSequence(body, names) {
  let m;
  if ((m = /^@!?(\d+)$/.exec(body))) return mention(`@${names.users[m[1]] ?? m[1]}`);
  if ((m = /^#(\d+)$/.exec(body))) return mention(`#${names.channels[m[1]] ?? m[1]}`);
  if ((m = /^@&(\d+)$/.exec(body))) return mention('@role');
  if ((m = /^a?:(\w+):\d+$/.exec(body))) return `:${esc(m[1])}:`;
  if (/^https?:\/\/\S+$/.test(body)) return link(body, body);
  return undefined;
}

export const NO_NAMES = { users: {}, channels: {} };

// Just enough of Slack mrkdwn and Discord markdown to read messages: code, bold, links,
// mentions, quotes. Slack text arrives entity-encoded (`&lt;` for a typed `<`) and is decoded
// exactly once; Discord and Fluxra text is literal.
export function format(text, pane, names = NO_NAMES) {
  const sequences = [];
  const hold = (html) => `\u0000${sequences.push(html) - 1}\u0000`;
  let source = String(text);
  // Discord and CommonMark show a backslash-escaped punctuation character as the character.
  if (pane === 'discord' || pane === 'fluxra') source = source.replace(/\\([!-/:-@[-`{-~])/g, (_m, char) => hold(esc(char)));
  if (pane === 'slack' || pane === 'discord') {
    const render = pane === 'slack' ? slackSequence : discordSequence;
    source = source.replace(/<([^<>\s][^<>]*)>/g, (whole, body) => {
      const html = render(body, names);
      return html === undefined ? whole : hold(html);
    });
  }
  // Markdown links: Fluxra's text is CommonMark, and Discord shows masked links from bots.
  if (pane === 'fluxra' || pane === 'discord') source = source.replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, (_m, label, url) => hold(link(url, label)));
  if (pane === 'slack') source = source.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  let html = esc(source);
  html = html.replace(/```([\s\S]*?)```/g, (_m, code) => `<pre>${code.replace(/^\n/, '')}</pre>`);
  html = html.replace(/`([^`\n]+)`/g, '<code>$1</code>');
  html = html.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
  html = html.replace(/(^|[\s(])\*([^*\n]+)\*(?=[\s).,!?:;]|$)/g, '$1<strong>$2</strong>');
  html = html.replace(/(^|[\s(])(https?:\/\/[^\s<&\u0000]+)/g, (_m, before, url) => `${before}<a href="${url}" target="_blank" rel="noreferrer">${url}</a>`);
  html = html.replace(/^&gt; ?(.*)$/gm, '<span class="quote">$1</span>');
  return html.replace(/\u0000(\d+)\u0000/g, (_m, index) => sequences[Number(index)]);
}

// The bridge's reactions (Slack names them, Discord sends the characters) as small inline
// icons: colour-emoji fonts are often missing (Debian's Chromium has only DejaVu), and then
// 👀 and ⏳ are empty boxes.
const svg = (title, body) => `<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">${body}</svg><span class="icon-label">${title}</span>`;
const ICONS = {
  seen: svg(
    'seen',
    '<path d="M1 8s2.5-5 7-5 7 5 7 5-2.5 5-7 5-7-5-7-5z" fill="none" stroke="currentColor" stroke-width="1.5"/><circle cx="8" cy="8" r="2.2" fill="currentColor"/>',
  ),
  working: svg('working', '<path d="M4 1.5h8M4 14.5h8M5 2v2.5L8 8l-3 3.5V14M11 2v2.5L8 8l3 3.5V14" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/>'),
  done: svg('done', '<path d="M2.5 8.5l3.5 3.5 7.5-8" fill="none" stroke="#059669" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>'),
  failed: svg('failed', '<path d="M3.5 3.5l9 9M12.5 3.5l-9 9" fill="none" stroke="#dc2626" stroke-width="2" stroke-linecap="round"/>'),
};
export const PAPERCLIP =
  '<svg viewBox="0 0 16 16" width="13" height="13" aria-hidden="true"><path d="M10.5 4.5l-5 5a1.4 1.4 0 002 2l5.5-5.5a2.8 2.8 0 00-4-4L3.5 7.5a4.2 4.2 0 006 6L14 9" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/></svg>';
const REACTIONS = {
  eyes: 'seen',
  '👀': 'seen',
  hourglass_flowing_sand: 'working',
  '⏳': 'working',
  hourglass: 'working',
  '⌛': 'working',
  white_check_mark: 'done',
  '✅': 'done',
  heavy_check_mark: 'done',
  x: 'failed',
  '❌': 'failed',
};
export const reactionHtml = (reaction) => {
  const icon = ICONS[REACTIONS[reaction]];
  return `<span class="reaction" title="${esc(reaction)}">${icon ?? esc(reaction.length <= 2 ? reaction : `:${reaction}:`)}</span>`;
};
