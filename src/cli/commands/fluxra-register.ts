/**
 * `fluxra-bridge fluxra register <agent-name>`: provisions the bridge's Fluxra agent. It
 * registers the agent, creates an API key with the recovery key, and prints the one-time
 * secrets once (that is this command's job: they are printed nowhere else and never
 * logged), with the environment lines to paste and advice to keep the recovery key offline.
 */
import { describeError } from '../../core/errors.js';
import type { FluxraRegistration } from '../../services/fluxra/index.js';
import type { CommandDef, CommandRun } from '../command-def.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit.js';
import { BIN } from '../help.js';
import type { CliIo } from '../io.js';
import { configOption, loadCliConfig } from '../load.js';

export const DEFAULT_KEY_NAME = 'fluxra-bridge';

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
    "Recovery key (the agent's master credential: it creates and revokes API keys):",
    `  ${registration.recoveryKey}`,
    "  Keep it OFFLINE (a password manager or a sealed note), never in the bridge's environment:",
    '  the bridge does not need it, and whoever holds it controls the agent.',
  ];
}

const runFluxraRegister: CommandRun = async (input, io) => {
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

  const outcome = await loadCliConfig(io, configOption(input));
  if (!outcome.ok) return outcome.code;
  const { config } = outcome.loaded;

  // Loaded only when the command runs: --help stays light.
  const [{ Agent }, { createFluxraClient, fluxraClientOptionsFromConfig }, { silentLogger }] = await Promise.all([
    import('undici'),
    import('../../services/fluxra/index.js'),
    import('../../core/logger.js'),
  ]);
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
      const key = await client.createApiKey({
        agentId: registration.agentId,
        recoveryKey: registration.recoveryKey,
        name: keyName,
        ...(expiresInDays !== undefined ? { expiresInDays } : {}),
      });
      io.out(
        [
          '',
          `API key "${key.name}" created (${key.keyId}; ${key.expiresAt ? `expires ${key.expiresAt}` : 'no expiry'}; scopes: ${key.scopes.join(', ') || 'the default set'}).`,
          '',
          // The key is printed once, here, in the form the operator needs.
          "Put these two lines in the bridge's environment (an .env file readable only by the bridge, or your secret store):",
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

export const fluxraRegisterCommand: CommandDef = {
  path: ['fluxra', 'register'],
  summary: "Register the bridge's Fluxra agent and create its API key (prints one-time secrets)",
  description: [
    'Registers a Fluxra agent for the bridge (POST /api/auth/register), then creates an API key',
    'for it with the recovery key (POST /api/agents/{agent_id}), against fluxra.baseUrl.',
    'Prints the recovery key and the API key ONCE, with the environment lines to paste',
    '(FLUXRA_AGENT_ID, FLUXRA_API_KEY). Run it in a private terminal: the secrets go to stdout.',
    'If the key cannot be created, the registration is still printed so that nothing is lost.',
  ].join('\n'),
  options: {
    email: { type: 'string', valueName: 'ADDRESS', help: 'Contact email for the agent (Fluxra may ask to verify it; optional)' },
    'key-name': { type: 'string', valueName: 'NAME', help: `Label of the API key (default "${DEFAULT_KEY_NAME}"; name it after the deployment)` },
    'expires-days': { type: 'string', valueName: 'DAYS', help: 'The API key expires after this many days (default: no expiry)' },
  },
  positionals: [{ name: 'agent-name', help: "The agent's name: 3 to 50 letters, digits or hyphens" }],
  exitCodes: [
    '0  registered, key created, secrets printed',
    '1  Fluxra refused (e.g. name taken) or could not be reached',
    '2  bad usage (e.g. an invalid name) or invalid configuration',
  ],
  run: runFluxraRegister,
};
