/**
 * `fluxra-bridge discord register-commands [--guild ID]`: registers the router's commands
 * through Discord REST (the same code the bridge runs at start), then prints the invite URL
 * with the permissions and scopes the bridge needs, and whether the Message Content
 * privileged intent is on.
 */
import { describeError } from '../../core/errors.js';
import type { CommandDef, CommandRun } from '../command-def.js';
import { EXIT_CONFIG, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit.js';
import { BIN } from '../help.js';
import { configOption, loadCliConfig } from '../load.js';

const SNOWFLAKE = /^\d{15,22}$/;

const INTENT_HOWTO = 'Developer Portal → your application → Bot → Privileged Gateway Intents → Message Content Intent';

const runDiscordRegisterCommands: CommandRun = async (input, io) => {
  const guildFlag = input.options['guild'];
  if (typeof guildFlag === 'string' && !SNOWFLAKE.test(guildFlag)) {
    io.err(`${BIN}: --guild must be a guild id (15 to 22 digits), got "${guildFlag}"\nRun "${BIN} discord register-commands --help" for usage.`);
    return EXIT_USAGE;
  }
  const outcome = await loadCliConfig(io, configOption(input));
  if (!outcome.ok) return outcome.code;
  const { config } = outcome.loaded;
  const token = config.discord.token;
  if (token === undefined) {
    io.err('DISCORD_TOKEN is not set: copy the bot token from the Developer Portal → your application → Bot, and set it in the environment.');
    return EXIT_CONFIG;
  }
  const guildId = typeof guildFlag === 'string' ? guildFlag : config.discord.guildId;

  // discord.js, undici and the dry bridge that lists the commands load only when the command runs.
  const [{ Agent }, { silentLogger }, { createDiscordAdapter }, invite, { notOfferedNote, offeredCommands }, { discordFailure, discordGet }] = await Promise.all([
    import('undici'),
    import('../../core/logger.js'),
    import('../../platforms/discord/index.js'),
    import('../../platforms/discord/invite.js'),
    import('../command-specs.js'),
    import('../platform-http.js'),
  ]);
  const { specs, notOffered } = await offeredCommands(outcome.loaded);
  if (notOffered.length > 0) io.err(notOfferedNote(notOffered));
  if (specs.length === 0) {
    // An empty registration would delete the commands registered before: refuse it.
    io.err('nothing to register: this configuration offers no command.');
    return EXIT_CONFIG;
  }

  const dispatcher = new Agent();
  try {
    const app = await discordGet(dispatcher, config.discord.apiUrl, '/applications/@me', token);
    if (app.status !== 200) {
      const hint = app.status === 401 ? ' (DISCORD_TOKEN is wrong or was reset: copy it again from the Developer Portal → Bot)' : '';
      io.err(`✗ Discord refused GET /applications/@me: ${discordFailure(app)}${hint}`);
      return EXIT_FAILED;
    }
    const application = app.body as { id?: unknown; flags?: unknown };
    const applicationId = config.discord.applicationId ?? (typeof application.id === 'string' ? application.id : undefined);
    if (applicationId === undefined) {
      io.err('✗ Discord did not say the application id; set discord.applicationId in the config.');
      return EXIT_FAILED;
    }

    const adapter = createDiscordAdapter(
      { token, applicationId, ...(guildId !== undefined ? { guildId } : {}), apiUrl: config.discord.apiUrl, commands: specs },
      { logger: silentLogger() },
    );
    try {
      await adapter.registerCommands(specs, guildId !== undefined ? { guildId } : {});
    } catch (error) {
      io.err(`✗ command registration failed: ${describeError(error)}`);
      return EXIT_FAILED;
    } finally {
      await adapter.stop().catch(() => undefined);
    }

    const names = specs.map((spec) => `/${spec.name}`).join(', ');
    const where = guildId !== undefined ? `in guild ${guildId} (visible at once)` : 'globally (Discord may take up to an hour to show them)';
    const lines = [
      `✓ registered ${specs.length} command${specs.length === 1 ? '' : 's'} ${where}: ${names}`,
      '',
      `Invite the bot (scopes: ${invite.DISCORD_SCOPES.join(', ')}; permissions ${invite.discordPermissionBits()}):`,
      `  ${invite.discordInviteUrl(applicationId, guildId)}`,
      '',
      'Permissions requested:',
      ...invite.DISCORD_PERMISSIONS.map(([, label, why]) => `  - ${label}: ${why}`),
      '',
    ];
    const flags = typeof application.flags === 'number' ? application.flags : 0;
    if (invite.hasMessageContentIntent(flags)) {
      lines.push('✓ Message Content intent: enabled.');
      io.out(lines.join('\n'));
    } else {
      io.out(lines.join('\n'));
      io.err(`! Message Content intent: NOT enabled. Turn it on (${INTENT_HOWTO}); without it the bridge receives messages without their text.`);
    }
    return EXIT_OK;
  } catch (error) {
    // sendHttp throws only when no answer came (refused, timeout, reset).
    io.err(`✗ Discord could not be reached: ${describeError(error)} (check discord.apiUrl and the network)`);
    return EXIT_FAILED;
  } finally {
    await dispatcher.close();
  }
};

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
  exitCodes: [
    '0  the commands were registered',
    '1  Discord refused or could not be reached',
    '2  bad usage, invalid configuration, DISCORD_TOKEN missing, or no command to register',
  ],
  run: runDiscordRegisterCommands,
};
