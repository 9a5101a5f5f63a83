/**
 * Watches every answer that comes through the Fluxra/Blocks HTTP transport. It is an undici
 * interceptor on the injected `Dispatcher`, so the API clients need no metric calls and
 * every attempt is seen, retries included (the servers count those too). The readiness of
 * the Blocks key is read from the same answers, so a probe never spends a Blocks request.
 */
import type { Dispatcher } from 'undici';

/** What one attempt ended with: an HTTP status, or a network failure's code. */
export type HttpOutcome = { kind: 'status'; status: number } | { kind: 'network'; code: string };

export interface HttpObserverOptions {
  /** Which service an origin (`http://host:port`) belongs to; `undefined` ignores it. */
  serviceOf(origin: string): string | undefined;
  onOutcome(service: string, outcome: HttpOutcome): void;
}

/** The network code of a failed attempt, or `undefined` for a cancellation by the caller (not the service's fault). */
export function networkCode(error: Error): string | undefined {
  if (error.name === 'AbortError') return undefined;
  if (error.name === 'TimeoutError') return 'TIMEOUT';
  const code = (error as { code?: unknown }).code;
  if (code === 'UND_ERR_ABORTED') return undefined;
  return typeof code === 'string' ? code : error.name;
}

/** The dispatcher with the observer in front; closing it closes the original. */
export function observeDispatcher(dispatcher: Dispatcher, options: HttpObserverOptions): Dispatcher {
  const interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    const origin = typeof opts.origin === 'string' ? opts.origin : opts.origin?.origin;
    const service = origin === undefined ? undefined : options.serviceOf(origin.replace(/\/+$/, ''));
    if (service === undefined) return dispatch(opts, handler);
    const report = (outcome: HttpOutcome): void => {
      try {
        options.onOutcome(service, outcome);
      } catch {
        // Counting must never break a request.
      }
    };
    // `compose` hands interceptors handlers of the controller API (onRequestStart, onResponse…).
    const observed: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart(controller, statusCode, headers, statusMessage) {
        report({ kind: 'status', status: statusCode });
        return handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError(controller, error) {
        const code = networkCode(error);
        if (code !== undefined) report({ kind: 'network', code });
        return handler.onResponseError?.(controller, error);
      },
    };
    return dispatch(opts, observed);
  };
  return dispatcher.compose(interceptor);
}

/** An origin → service lookup from configured base URLs. */
export function servicesByOrigin(entries: ReadonlyArray<readonly [service: string, baseUrl: string | undefined]>): (origin: string) => string | undefined {
  const map = new Map<string, string>();
  for (const [service, baseUrl] of entries) {
    if (baseUrl === undefined) continue;
    try {
      map.set(new URL(baseUrl).origin, service);
    } catch {
      // An unparseable URL was refused by the config schema already.
    }
  }
  return (origin) => map.get(origin);
}
