/**
 * `fluxra-bridge fluxra register <agent-name>`: provisions the bridge's Fluxra agent. It
 * registers the agent, creates an API key with the recovery key, and prints the one-time
 * secrets once (that is this command's job: they are printed nowhere else and never
 * logged), with the environment lines to paste and advice to keep the recovery key offline.
 */
import type { CommandDef } from '../command-def.js';

export const DEFAULT_KEY_NAME = 'fluxra-bridge';

export const fluxraRegisterCommand: CommandDef = {
  path: ['fluxra', 'register'],
  summary: 'Register the bridge\'s Fluxra agent and create its API key (prints one-time secrets)',
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
  positionals: [{ name: 'agent-name', help: 'The agent\'s name: 3 to 50 letters, digits or hyphens' }],
  exitCodes: ['0  registered, key created, secrets printed', '1  Fluxra refused (e.g. name taken) or could not be reached', '2  bad usage (e.g. an invalid name) or invalid configuration'],
  load: async () => (await import('../run/fluxra-register.js')).runFluxraRegister,
};
