/**
 * What a Blocks client does inside `budget.schedule`: one GET through the shared HTTP
 * helper, a 429 turned into `RateLimitedError` (so the budget pauses the key by itself).
 */
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { RateLimitedError } from '../../../src/core/errors.js';
import { type HttpResponse, parseRetryAfter, sendHttp, urlForError } from '../../../src/services/http.js';
import { LABEL_HEADER } from './blocks-fake.js';

export async function getSession(dispatcher: Dispatcher, baseUrl: string, apiKey: string, label: string): Promise<HttpResponse> {
  const url = new URL(`/rest/v1/sessions/${randomUUID()}`, baseUrl);
  const res = await sendHttp(dispatcher, {
    service: 'blocks',
    method: 'GET',
    url,
    headers: { authorization: `ApiKey ${apiKey}`, [LABEL_HEADER]: label },
    timeoutMs: 5_000,
  });
  if (res.status === 429) {
    const header = res.headers['retry-after'];
    const fromServer = parseRetryAfter(header);
    throw new RateLimitedError('Blocks answered 429', {
      service: 'blocks',
      status: 429,
      method: 'GET',
      url: urlForError(url),
      retryAfterMs: fromServer ?? 1_000,
      retryAfterFromServer: fromServer !== undefined,
    });
  }
  return res;
}
