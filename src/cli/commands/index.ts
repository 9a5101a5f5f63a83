/** The command table, in the order the top-level help lists it. */
import type { CommandDef } from '../command-def.js';
import { checkCommand } from './check.js';
import { deadlettersDropCommand, deadlettersListCommand, deadlettersRetryCommand } from './deadletters.js';
import { discordRegisterCommandsCommand } from './discord-register-commands.js';
import { fluxraRegisterCommand } from './fluxra-register.js';
import { slackManifestCommand } from './slack-manifest.js';
import { startCommand } from './start.js';

export const COMMANDS: readonly CommandDef[] = [
  startCommand,
  checkCommand,
  fluxraRegisterCommand,
  slackManifestCommand,
  discordRegisterCommandsCommand,
  deadlettersListCommand,
  deadlettersRetryCommand,
  deadlettersDropCommand,
];
