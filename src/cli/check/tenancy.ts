/**
 * Who the bridge serves (issue 14): with `discord.allowedGuildIds`, the servers the bot is in
 * that are not on the list (their events and commands are ignored); with
 * `slack.allowedTeamIds`, whether the token's workspace is on it; without a list, a warning
 * that every server or workspace is served as a tenant of its own.
 */
import type { Dispatcher } from 'undici';
import type { LoadedConfig } from '../../config/load.js';
import type { PlatformName } from '../../core/chat.js';
import { tenancyWarnings } from '../../core/tenancy.js';
import { discordGet, slackCall } from '../platform-http.js';
import { type CheckResult, ok, reasonOf, warning } from './result.js';

/** Pure: the line about the servers the bot is in. */
export function discordServersResult(guilds: ReadonlyArray<{ id: string; name?: string }>, allowed: readonly string[]): CheckResult {
  const part = 'discord servers';
  const strangers = guilds.filter((guild) => !allowed.includes(guild.id));
  if (strangers.length === 0) return ok(part, `the bot is in ${guilds.length} server(s), all on discord.allowedGuildIds`);
  const named = strangers.map((guild) => `${guild.name ?? 'unnamed'} (${guild.id})`).join(', ');
  return warning(
    part,
    `the bot is in ${strangers.length} server(s) not on discord.allowedGuildIds, whose events and commands are ignored: ${named}`,
    'remove the bot from them, or add them to discord.allowedGuildIds',
  );
}

export async function checkTenancy(loaded: LoadedConfig, dispatcher: Dispatcher): Promise<CheckResult[]> {
  const { slack, discord } = loaded.config;
  const platforms: PlatformName[] = [...(slack.botToken !== undefined ? (['slack'] as const) : []), ...(discord.token !== undefined ? (['discord'] as const) : [])];
  const tenancy = { slackAllowedTeamIds: slack.allowedTeamIds, discordAllowedGuildIds: discord.allowedGuildIds };
  const results: CheckResult[] = tenancyWarnings(tenancy, platforms).map((text) =>
    warning('tenancy', text, 'set the allow-list to serve one organisation; see "Security model" in the README'),
  );
  // Without a list, the warning above says all there is to say.
  if (discord.token !== undefined && discord.allowedGuildIds !== undefined) {
    try {
      // One page (up to 200 servers): enough to name the strangers of a bridge meant for one organisation.
      const res = await discordGet(dispatcher, discord.apiUrl, '/users/@me/guilds', discord.token);
      if (res.status === 200 && Array.isArray(res.body)) results.push(discordServersResult(res.body as Array<{ id: string; name?: string }>, discord.allowedGuildIds));
    } catch (error) {
      results.push(warning('discord servers', `could not list the servers: ${reasonOf(error)}`));
    }
  }
  if (slack.botToken !== undefined && slack.allowedTeamIds !== undefined) {
    try {
      const res = await slackCall(dispatcher, slack.apiUrl, 'auth.test', slack.botToken);
      const team = (res.body as { team_id?: unknown } | undefined)?.team_id;
      if (typeof team === 'string' && !slack.allowedTeamIds.includes(team)) {
        results.push(warning('slack workspace', `the token's workspace ${team} is not on slack.allowedTeamIds: everything from it is ignored`, 'add it to slack.allowedTeamIds'));
      }
    } catch {
      // The auth.test line of the Slack check already says what is wrong.
    }
  }
  return results;
}
