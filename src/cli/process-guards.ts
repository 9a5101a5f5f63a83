/**
 * What the bridge process does with errors nobody caught. A promise rejection that no code
 * awaited (a library's stray timer, a fire-and-forget call) is logged as one JSON line and the
 * bridge goes on: Node's default would end the process and every in-flight request with it,
 * for one failure that touched nothing else. An uncaught exception is different: it unwound
 * a stack half-way, so state may be inconsistent; it is logged and the process exits non-zero
 * at once, for Docker, compose or Kubernetes to restart it (durable work resumes from the store).
 */
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { EXIT_FAILED } from './exit.js';

/** A loggable description of what was thrown: its name and message, and the stack when it has one. */
export function describeThrown(thrown: unknown): { err: string; stack?: string } {
  const stack = thrown instanceof Error && typeof thrown.stack === 'string' ? thrown.stack.split('\n').slice(1, 8).join('\n') : undefined;
  return { err: describeError(thrown), ...(stack ? { stack } : {}) };
}

/** Installs the process-wide handlers; returns a function that removes them again. */
export function installProcessGuards(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const onRejection = (reason: unknown): void => {
    logger.error(describeThrown(reason), 'unhandled promise rejection; the bridge goes on');
  };
  const onException = (error: unknown): void => {
    logger.fatal(describeThrown(error), 'uncaught exception; exiting so that the supervisor restarts the bridge');
    exit(EXIT_FAILED);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
