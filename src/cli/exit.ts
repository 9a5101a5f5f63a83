/**
 * Exit codes a script can rely on, shared by every command and by `src/main.ts`:
 * 0 success; 1 something was tried and failed (a check, an API call, the bridge's start);
 * 2 the input was wrong (unknown command or flag, bad value, invalid configuration) and
 * retrying without changing it will fail the same way.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** A configuration problem is an input problem: same code as bad usage, as `main.ts` always had. */
export const EXIT_CONFIG = EXIT_USAGE;

/**
 * Ends the process with `code` once stdout/stderr had their chance to flush. A command that
 * leaves no handle open exits by itself at once; the unref'd timer only stops a process that
 * a library handle (a socket in its close handshake, a pino worker) would keep alive.
 */
export function exitWhenDone(code: number, graceMs = 200): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), graceMs).unref();
}
