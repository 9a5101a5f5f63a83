/**
 * The next thing to try, from what the visitor has done so far: shown on the console page
 * and printed on stdout at start-up, so that a first run needs no documentation.
 */
import type { ConsoleView } from './view-types.js';

export function nextHints(view: Pick<ConsoleView, 'slack' | 'discord' | 'fluxra'> & Partial<Pick<ConsoleView, 'sidePane'>>): string[] {
  const { slack, discord, fluxra } = view;
  if (!slack.linkedTo && !discord.linkedTo) {
    return ['Link the channels: run `/bridge link new sandbox` in the Slack pane (it creates a Fluxra conversation).'];
  }
  const conversation = slack.linkedTo ?? discord.linkedTo ?? '';
  const hints: string[] = [];
  if (!discord.linkedTo) hints.push(`Add Discord to the same conversation: run \`/bridge link ${conversation}\` in the Discord pane.`);
  if (!slack.linkedTo) hints.push(`Add Slack to the same conversation: run \`/bridge link ${conversation}\` in the Slack pane.`);
  if (slack.messages.length + discord.messages.length === 0) hints.push('Post a message in the Slack or Discord pane: it appears in the other one and in Fluxra.');
  if (fluxra.messages.every((message) => message.kind === 'bridge')) hints.push('Post as a Fluxra agent in the Fluxra pane: the bridge mirrors it to both channels.');
  hints.push(
    'Ask an agent: `/agent explain this repository` or `@bridge explain this repository` (the answer comes in a thread after a few seconds). `/block list` shows Fluxra blocks; `/bridge status` the link.',
  );
  if (slack.messages.length + discord.messages.length > 0) hints.push('Your messages have Edit and Delete, the composer Attach a file: the copies in the other panes follow.');
  if (view.sidePane?.threads.length === 0) hints.push("Open Slack's AI side pane with AI pane in the Slack pane's header: each chat there is a private agent session.");
  return hints;
}
