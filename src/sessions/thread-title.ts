/**
 * The title of a side-pane thread (Slack's history list of pane chats), from the prompt that
 * started its session: its first non-empty line, whitespace tidied, cut at a word when long.
 */

/** Long enough to recognise a chat in the list, short enough to fit it on one line. */
export const THREAD_TITLE_MAX = 60;

export function threadTitle(prompt: string, max: number = THREAD_TITLE_MAX): string {
  const line = prompt
    .split('\n')
    .map((candidate) => candidate.replace(/\s+/g, ' ').trim())
    .find((candidate) => candidate !== '');
  if (line === undefined) return 'Agent session';
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
