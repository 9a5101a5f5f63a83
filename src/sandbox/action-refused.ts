/** A refusal to show the visitor (what they asked cannot be done), not a failure of the sandbox. */
import { FakeFluxraRefusal } from '../simulators/fluxra/state.js';

export class ActionRefused extends Error {}

/**
 * Runs a simulator call; a refusal by the simulated Fluxra (403 for a blocked agent, 404 for
 * a message that is gone) becomes an `ActionRefused` with Fluxra's own words and status.
 */
export function refusalOf<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof FakeFluxraRefusal) throw new ActionRefused(`Fluxra refused (${error.status}): ${error.message}.`);
    throw error;
  }
}
