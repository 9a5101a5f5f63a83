/** `fluxra-bridge fluxra register`: see `commands/fluxra-register.ts`. */
import { Agent } from 'undici';
import { describeError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { createFluxraClient, fluxraClientOptionsFromConfig, type FluxraRegistration } from '../../services/fluxra/index.js';
import type { CommandRun } from '../command-def.js';
import { DEFAULT_KEY_NAME } from '../commands/fluxra-register.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit.js';
import { BIN } from '../help.js';
import type { CliIo } from '../io.js';
import { loadCliConfig } from '../load.js';

/** Fluxra's rule for agent names (spec §3.1), checked here so that a typo costs no request. */
export const AGENT_NAME_PATTERN = /^[a-zA-Z0-9-]{3,50}$/;

function usage(io: CliIo, message: string): number {
  io.err(`${BIN}: ${message}\nRun "${BIN} fluxra register --help" for usage.`);
  return EXIT_USAGE;
}

function registrationLines(registration: FluxraRegistration): string[] {
  return [
    `✓ registered Fluxra agent "${registration.agentName}": ${registration.agentId}`,
    '',
    '!! The secrets below are shown ONCE: Fluxra will not show them again. Store them now. !!',
    ...(registration.warning ? [`   (Fluxra says: ${registration.warning})`] : []),
    '',
    'Recovery key (the agent\'s master credential: it creates and revokes API keys):',
    `  ${registration.recoveryKey}`,
    '  Keep it OFFLINE (a password manager or a sealed note), never in the bridge\'s environment:',
    '  the bridge does not need it, and whoever holds it controls the agent.',
  ];
}

export const runFluxraRegister: CommandRun = async (input, io) => {
  const agentName = input.positionals[0] ?? '';
  if (!AGENT_NAME_PATTERN.test(agentName)) {
    return usage(io, `invalid agent name "${agentName}": use 3 to 50 letters, digits or hyphens (^[a-zA-Z0-9-]{3,50}$)`);
  }
  const email = input.options['email'];
  if (typeof email === 'string' && !/^[^\s@]+@[^\s@]+$/.test(email)) return usage(io, `--email "${email}" is not an email address`);
  const keyName = typeof input.options['key-name'] === 'string' ? input.options['key-name'] : DEFAULT_KEY_NAME;
  if (keyName.length > 100) return usage(io, '--key-name must be at most 100 characters');
  const daysText = input.options['expires-days'];
  let expiresInDays: number | undefined;
  if (typeof daysText === 'string') {
    expiresInDays = /^\d+$/.test(daysText) ? Number(daysText) : NaN;
    if (!Number.isSafeInteger(expiresInDays) || expiresInDays < 1) return usage(io, `--expires-days must be a whole number of days, at least 1 (got "${daysText}")`);
  }

  const outcome = loadCliConfig(io, typeof input.options['config'] === 'string' ? input.options['config'] : undefined);
  if (!outcome.ok) return outcome.code;
  const { config } = outcome.loaded;

  const dispatcher = new Agent();
  // Only the public and Basic routes are used: the configured agent id and key (if any) play no part.
  const { agentId: _agentId, apiKey: _apiKey, ...fluxraConfig } = config.fluxra;
  const client = createFluxraClient({ ...fluxraClientOptionsFromConfig({ ...fluxraConfig }, { dispatcher, logger: silentLogger() }), maxRetries: 0 });
  try {
    let registration: FluxraRegistration;
    try {
      registration = await client.register({ agentName, ...(typeof email === 'string' ? { email } : {}) });
    } catch (error) {
      io.err(`✗ Fluxra did not register "${agentName}" at ${config.fluxra.baseUrl}: ${describeError(error)}`);
      return EXIT_FAILED;
    }
    io.out(registrationLines(registration).join('\n'));

    try {
      const key = await client.createApiKey({ agentId: registration.agentId, recoveryKey: registration.recoveryKey, name: keyName, ...(expiresInDays !== undefined ? { expiresInDays } : {}) });
      io.out(
        [
          '',
          `API key "${key.name}" created (${key.keyId}; ${key.expiresAt ? `expires ${key.expiresAt}` : 'no expiry'}; scopes: ${key.scopes.join(', ') || 'the default set'}).`,
          '',
          // The key is printed once, here, in the form the operator needs.
          'Put these two lines in the bridge\'s environment (an .env file readable only by the bridge, or your secret store):',
          '',
          `FLUXRA_AGENT_ID=${registration.agentId}`,
          `FLUXRA_API_KEY=${key.apiKey}`,
          '',
          `Then run "${BIN} check".`,
        ].join('\n'),
      );
      return EXIT_OK;
    } catch (error) {
      io.err(
        [
          `✗ the agent is registered but its API key was not created: ${describeError(error)}`,
          'Keep the recovery key printed above: with it you can create the key later',
          `(POST ${config.fluxra.baseUrl}/api/agents/${registration.agentId} with Basic agent_id:recovery_key).`,
        ].join('\n'),
      );
      io.out(`\nFLUXRA_AGENT_ID=${registration.agentId}`);
      return EXIT_FAILED;
    }
  } finally {
    await dispatcher.close();
  }

};
