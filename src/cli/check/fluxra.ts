/** Fluxra: `/health` (public) and a token exchange (the API key works for this agent). */
import type { Dispatcher } from 'undici';
import type { LoadedConfig } from '../../config/load.js';
import { silentLogger } from '../../core/logger.js';
import { createFluxraClient, fluxraClientOptionsFromConfig, isCredentialsRejected } from '../../services/fluxra/index.js';
import { type CheckResult, failed, notConfigured, ok, reasonOf } from './result.js';

const NETWORK_HINT = 'check fluxra.baseUrl, DNS and any proxy between the bridge and Fluxra';

export async function checkFluxra(loaded: LoadedConfig, dispatcher: Dispatcher): Promise<CheckResult[]> {
  const { config, enabled } = loaded;
  if (!enabled.fluxra) {
    const hint = 'set FLUXRA_AGENT_ID and FLUXRA_API_KEY; "fluxra-bridge fluxra register <name>" creates them';
    return [notConfigured('fluxra health', hint), notConfigured('fluxra token', hint)];
  }
  // One attempt each: a check reports what happens now rather than retrying it away.
  const client = createFluxraClient({ ...fluxraClientOptionsFromConfig(config.fluxra, { dispatcher, logger: silentLogger() }), maxRetries: 0 });

  const health = client.health().then(
    (answer) =>
      answer.status === 'healthy'
        ? ok('fluxra health', `${config.fluxra.baseUrl} is healthy (version ${answer.version})`)
        : failed('fluxra health', `${config.fluxra.baseUrl} says "${answer.status}"`, 'Fluxra reports a problem on its side; try again later'),
    (error: unknown) => failed('fluxra health', reasonOf(error), NETWORK_HINT),
  );
  const token = client.exchangeToken().then(
    () => ok('fluxra token', `agent ${config.fluxra.agentId ?? ''} exchanged its API key for a token`),
    (error: unknown) =>
      failed(
        'fluxra token',
        reasonOf(error),
        isCredentialsRejected(error) ? 'FLUXRA_API_KEY is wrong, expired or revoked, or is not a key of FLUXRA_AGENT_ID; create a new key with the recovery key' : NETWORK_HINT,
      ),
  );
  return Promise.all([health, token]);
}
