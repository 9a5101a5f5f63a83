/** `fluxra-bridge slack manifest`: see `commands/slack-manifest.ts`. */
import type { CommandRun } from '../command-def.js';
import { DEFAULT_APP_NAME } from '../commands/slack-manifest.js';
import { credentialNotes, offeredCommands } from '../command-specs.js';
import { EXIT_OK, EXIT_USAGE } from '../exit.js';
import { BIN } from '../help.js';
import { loadCliConfig } from '../load.js';
import { slackEventsUrl, slackManifest } from '../slack-manifest.js';

export const runSlackManifest: CommandRun = async (input, io) => {
  const httpUrl = input.options['http-url'];
  const name = typeof input.options['name'] === 'string' ? input.options['name'] : DEFAULT_APP_NAME;
  const usage = (message: string): number => {
    io.err(`${BIN}: ${message}\nRun "${BIN} slack manifest --help" for usage.`);
    return EXIT_USAGE;
  };
  if (name.length > 35) return usage('--name must be at most 35 characters (a Slack limit)');
  if (typeof httpUrl === 'string') {
    try {
      slackEventsUrl(httpUrl);
    } catch {
      return usage(`--http-url must be an http(s) URL such as https://bridge.example.com (got "${httpUrl}")`);
    }
  }
  const outcome = loadCliConfig(io, typeof input.options['config'] === 'string' ? input.options['config'] : undefined);
  if (!outcome.ok) return outcome.code;
  const { config } = outcome.loaded;
  if (config.slack.mode === 'http' && typeof httpUrl !== 'string') {
    return usage('slack.mode is "http": give --http-url https://<public host> so that Slack knows where to send events');
  }

  // Every command, whatever is configured yet: the app is created once, and a command added
  // later would mean updating it. Until its credentials are set, a command says so when run.
  const { specs } = await offeredCommands(outcome.loaded, { everyCommand: true });
  // /agent reads the words after the command as "[agent] <prompt>" on Slack (see commands/agent.ts).
  const usageHints = { [config.commands.agent]: '[agent] <prompt>' };
  const manifest = slackManifest({ appName: name, specs, usageHints, ...(typeof httpUrl === 'string' ? { httpUrl } : {}) });
  io.out(`${JSON.stringify(manifest, null, 2)}\n`);

  const waiting = credentialNotes(outcome.loaded);
  if (waiting.length > 0) io.err(['note: the manifest lists every command; until their credentials are set:', ...waiting.map((line) => `  ${line}`)].join('\n'));
  const steps =
    typeof httpUrl === 'string'
      ? [
          'HTTP mode: set "slack": {"mode": "http"} in the config; put Basic Information → Signing Secret in SLACK_SIGNING_SECRET;',
          `the bridge must be reachable at ${slackEventsUrl(httpUrl)} (port slack.port) before Slack can verify the URL.`,
        ]
      : ['Socket Mode: create an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and put it in SLACK_APP_TOKEN.'];
  io.err(
    [
      'next steps: create the app from this manifest (JSON) at https://api.slack.com/apps → Create New App → From an app manifest;',
      'install it to the workspace and put OAuth & Permissions → Bot User OAuth Token (xoxb-…) in SLACK_BOT_TOKEN;',
      ...steps,
      `then invite the bot to each channel to bridge, and run "${BIN} check".`,
    ].join('\n'),
  );
  return EXIT_OK;

};
