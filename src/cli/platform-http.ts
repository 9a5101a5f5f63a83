/**
 * The two direct platform calls the CLI makes outside the adapters: Slack Web API methods
 * (`auth.test`, `apps.connections.open`) and Discord REST GETs (`/users/@me`,
 * `/applications/@me`). They go through the same `sendHttp` as the API clients, so
 * timeouts and network failures read the same; the answer is returned, never thrown for a
 * non-2xx status, because for a check a refusal is a result.
 */
import type { Dispatcher } from 'undici';
import { type HttpResponse, sendHttp } from '../services/http.js';

export const CLI_HTTP_TIMEOUT_MS = 10_000;

/** A Web API method with a bearer token and no arguments; Slack answers 200 with `{ok, error?}`. */
export function slackCall(dispatcher: Dispatcher, apiUrl: string, method: string, token: string): Promise<HttpResponse> {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  return sendHttp(dispatcher, {
    service: 'slack',
    method: 'POST',
    url: new URL(method, base),
    headers: { authorization: `Bearer ${token}` },
    timeoutMs: CLI_HTTP_TIMEOUT_MS,
  });
}

/** `apiUrl` is the configured REST base without the version (discord.js adds /v10; so do we). */
export function discordGet(dispatcher: Dispatcher, apiUrl: string, path: string, token: string): Promise<HttpResponse> {
  return sendHttp(dispatcher, {
    service: 'discord',
    method: 'GET',
    url: new URL(`${apiUrl.replace(/\/+$/, '')}/v10${path}`),
    headers: { authorization: `Bot ${token}` },
    timeoutMs: CLI_HTTP_TIMEOUT_MS,
  });
}

/** Slack's `{ok:false, error}` code, or the HTTP status when the body is not Slack's. */
export function slackFailure(res: HttpResponse): string | undefined {
  const body = res.body as { ok?: unknown; error?: unknown } | undefined;
  if (res.status === 200 && body?.ok === true) return undefined;
  if (typeof body?.error === 'string') return body.error;
  return `HTTP ${res.status}`;
}

/** Discord's `{message, code}` error body, shortened, or the status. */
export function discordFailure(res: HttpResponse): string {
  const body = res.body as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? `HTTP ${res.status}: ${body.message}` : `HTTP ${res.status}`;
}
