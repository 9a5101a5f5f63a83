/** `fluxra-bridge slack manifest`: print the Slack app manifest (JSON) for this configuration. */
import type { CommandDef } from '../command-def.js';

export const DEFAULT_APP_NAME = 'Fluxra Bridge';

export const slackManifestCommand: CommandDef = {
  path: ['slack', 'manifest'],
  summary: 'Print a Slack app manifest (JSON) to create the Slack app in one step',
  description: [
    'Prints a Slack app manifest as JSON on stdout: the bot scopes and events the bridge needs',
    'and the slash commands this configuration offers (names from commands.*). Socket Mode is on',
    'unless --http-url is given; then Slack POSTs events and commands to <URL>/slack/events.',
    'Paste it at https://api.slack.com/apps → Create New App → From an app manifest.',
    'Notes and next steps go to stderr, so `> manifest.json` captures only the manifest.',
  ].join('\n'),
  options: {
    'http-url': { type: 'string', valueName: 'URL', help: 'HTTP mode: the bridge\'s public https base URL (Socket Mode when absent)' },
    name: { type: 'string', valueName: 'NAME', help: `App and bot name (default "${DEFAULT_APP_NAME}", at most 35 characters)` },
  },
  positionals: [],
  exitCodes: ['0  the manifest was printed', '1  the commands could not be read from the configuration', '2  bad usage or invalid configuration'],
  load: async () => (await import('../run/slack-manifest.js')).runSlackManifest,
};
