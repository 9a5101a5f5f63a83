/** Slack (`auth.test`, and in Socket Mode `apps.connections.open`) and Discord (`GET /users/@me`). */
import type { Dispatcher } from 'undici';
import type { LoadedConfig } from '../../config/load.js';
import { discordFailure, discordGet, slackCall, slackFailure } from '../platform-http.js';
import { type CheckResult, failed, notConfigured, ok, reasonOf } from './result.js';

const SLACK_TOKEN_HINTS: Record<string, string> = {
  invalid_auth: 'SLACK_BOT_TOKEN is wrong: copy OAuth & Permissions → Bot User OAuth Token (xoxb-…)',
  not_authed: 'SLACK_BOT_TOKEN is empty',
  account_inactive: 'the app was uninstalled or the token revoked: reinstall the app and copy the new token',
  token_revoked: 'the token was revoked: reinstall the app and copy the new token',
};

export async function checkSlack(loaded: LoadedConfig, dispatcher: Dispatcher): Promise<CheckResult[]> {
  const { slack } = loaded.config;
  if (slack.botToken === undefined) {
    return [
      notConfigured('slack auth.test', 'set SLACK_BOT_TOKEN, and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP); "fluxra-bridge slack manifest" creates the app'),
    ];
  }
  const results: CheckResult[] = [];
  try {
    const res = await slackCall(dispatcher, slack.apiUrl, 'auth.test', slack.botToken);
    const failure = slackFailure(res);
    if (failure === undefined) {
      const body = res.body as { user?: unknown; user_id?: unknown; team?: unknown };
      results.push(ok('slack auth.test', `bot @${String(body.user)} (${String(body.user_id)}) in workspace "${String(body.team)}"`));
    } else {
      results.push(failed('slack auth.test', `Slack refused the bot token: ${failure}`, SLACK_TOKEN_HINTS[failure] ?? 'check SLACK_BOT_TOKEN and slack.apiUrl'));
    }
  } catch (error) {
    results.push(failed('slack auth.test', reasonOf(error), 'check slack.apiUrl and the network'));
  }
  if (slack.mode === 'socket') {
    if (slack.appToken === undefined) return results;
    try {
      // Asks for a Socket Mode URL, as Bolt does at start; the URL is not used and expires.
      const res = await slackCall(dispatcher, slack.apiUrl, 'apps.connections.open', slack.appToken);
      const failure = slackFailure(res);
      results.push(
        failure === undefined
          ? ok('slack socket mode', 'the app-level token opens Socket Mode connections')
          : failed(
              'slack socket mode',
              `Slack refused the app-level token: ${failure}`,
              'SLACK_APP_TOKEN must be an app-level token (xapp-…) with connections:write, and Socket Mode must be on in the app settings',
            ),
      );
    } catch (error) {
      results.push(failed('slack socket mode', reasonOf(error), 'check slack.apiUrl and the network'));
    }
  }
  return results;
}

export async function checkDiscord(loaded: LoadedConfig, dispatcher: Dispatcher): Promise<CheckResult> {
  const { discord } = loaded.config;
  const part = 'discord /users/@me';
  if (discord.token === undefined) return notConfigured(part, 'set DISCORD_TOKEN; "fluxra-bridge discord register-commands" prints the invite URL');
  try {
    const res = await discordGet(dispatcher, discord.apiUrl, '/users/@me', discord.token);
    if (res.status === 200) {
      const user = res.body as { id?: unknown; username?: unknown };
      return ok(part, `signed in as ${String(user.username)} (${String(user.id)})`);
    }
    const hint = res.status === 401 ? 'DISCORD_TOKEN is wrong or was reset: copy it again from the Developer Portal → your application → Bot' : 'check discord.apiUrl';
    return failed(part, `Discord refused the bot token: ${discordFailure(res)}`, hint);
  } catch (error) {
    return failed(part, reasonOf(error), 'check discord.apiUrl and the network');
  }
}
