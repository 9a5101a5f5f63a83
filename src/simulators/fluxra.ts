/**
 * Fake Fluxra Chat API for tests and the sandbox: see `fluxra/server.ts`. Implements spec
 * §2–§6 plus the §10 working contract, with fault injection and a request record.
 */

export type { FakeFluxraFault } from './fluxra/faults.js';
export type { FakeFluxraSettings } from './fluxra/handlers.js';
export type { FakeAgentCredentials, FakeFluxra, FakeFluxraOptions } from './fluxra/server.js';
export { createFakeFluxra } from './fluxra/server.js';
export type { FakeBlock, FakeConversation, FakeMessage, RecordedRequest } from './fluxra/state.js';
export { FakeFluxraRefusal, FakeFluxraState } from './fluxra/state.js';
