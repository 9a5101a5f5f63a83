/**
 * The tenancy rules moved to src/core/tenancy.ts (the store and the CLI need them too, and
 * neither may import commands). This re-export keeps the CLI's import working until the CLI
 * rework points it at core; then this file goes.
 */
export * from '../core/tenancy.js';
