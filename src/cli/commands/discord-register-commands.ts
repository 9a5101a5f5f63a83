/**
 * `fluxra-bridge discord register-commands [--guild ID]`: registers the router's commands
 * through Discord REST (the same code the bridge runs at start), then prints the invite URL
 * with the permissions and scopes the bridge needs, and whether the Message Content
 * privileged intent is on.
 */
import type { CommandDef } from '../command-def.js';

export const discordRegisterCommandsCommand: CommandDef = {
  path: ['discord', 'register-commands'],
  summary: 'Register the slash commands on Discord and print the bot invite URL',
  description: [
    'Registers the slash commands this configuration offers as Discord application commands:',
    'in one guild with --guild (or discord.guildId), where they appear at once, else globally,',
    'where Discord may take up to an hour to show them. The bridge also does this at start.',
    'Then prints the invite URL (scopes bot and applications.commands, with the permissions the',
    'bridge needs) and says whether the Message Content privileged intent is enabled.',
    'Needs DISCORD_TOKEN.',
  ].join('\n'),
  options: {
    guild: { type: 'string', valueName: 'ID', help: 'Register in this guild (server) id instead of discord.guildId / globally' },
  },
  positionals: [],
  exitCodes: ['0  the commands were registered', '1  Discord refused or could not be reached', '2  bad usage, invalid configuration, DISCORD_TOKEN missing, or no command to register'],
  load: async () => (await import('../run/discord-register-commands.js')).runDiscordRegisterCommands,
};
