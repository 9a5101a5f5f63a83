/**
 * One bounded step of `Bridge.stop`: a dependency that never answers (Redis down, a socket
 * that never closes) must not keep a stopping process alive forever, and one step that
 * fails must not keep the next ones from running.
 */
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** How long one shutdown step (an engine, a platform, a connection) may take. */
export const STOP_STEP_BOUND_MS = 10_000;

/** Runs one shutdown step, logging (not throwing) when it fails or outlasts its bound. */
export async function stopStep(logger: Logger, what: string, work: () => Promise<unknown>, boundMs = STOP_STEP_BOUND_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const outlasted = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), boundMs);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([work().then(() => 'done' as const), outlasted]);
    if (outcome === 'timeout') logger.warn({ step: what, boundMs }, 'shutdown step did not finish in time; going on without it');
  } catch (error) {
    logger.warn({ step: what, err: describeError(error) }, 'shutdown step failed');
  } finally {
    clearTimeout(timer);
  }
}
