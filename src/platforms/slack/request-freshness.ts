/**
 * Slack HTTP mode: refuse a request stamped more than five minutes away from now, in either
 * direction, which is Slack's rule against replays. Bolt's own verification refuses only old
 * stamps, so a signed request stamped in the future (signed ahead of time, or by a clock far
 * ahead) would be accepted and acted on, and could be replayed until its stamp grew old.
 *
 * The check wraps the HTTP receiver's public `requestListener` (the hook Bolt offers for
 * mounting its receiver elsewhere): it reads one header, before any body is read, so a
 * refused request has no side effect. Bolt still verifies the signature of what passes.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** Slack's window: five minutes either way. */
export const SLACK_TIMESTAMP_TOLERANCE_SECONDS = 300;

export type TimestampVerdict = 'fresh' | 'missing' | 'too-old' | 'too-new';

/**
 * How `x-slack-request-timestamp` (unix seconds) relates to `nowMs`. `missing` covers an
 * absent or malformed header: Bolt refuses those itself, as unsigned.
 */
export function judgeSlackTimestamp(header: string | string[] | undefined, nowMs: number, toleranceSeconds = SLACK_TIMESTAMP_TOLERANCE_SECONDS): TimestampVerdict {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || !/^\d{1,12}$/.test(raw.trim())) return 'missing';
  const skew = Number(raw.trim()) - nowMs / 1000;
  if (skew > toleranceSeconds) return 'too-new';
  if (skew < -toleranceSeconds) return 'too-old';
  return 'fresh';
}

/** The part of Bolt's HTTPReceiver we wrap. */
export interface ListeningReceiver {
  requestListener: RequestListener;
}

/**
 * Makes `receiver` answer 401 (and do nothing else) to requests stamped out of the window.
 * `onRefused` gets the verdict for a log line; the request's content is never read.
 */
export function refuseStaleOrFutureRequests<R extends ListeningReceiver>(
  receiver: R,
  deps: { now: () => number; onRefused(verdict: 'too-old' | 'too-new', req: IncomingMessage): void },
): R {
  const inner = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    const verdict = judgeSlackTimestamp(req.headers['x-slack-request-timestamp'], deps.now());
    if (verdict === 'too-old' || verdict === 'too-new') {
      deps.onRefused(verdict, req);
      // Drain what was sent so the connection can be reused; nothing of it is looked at.
      req.resume();
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('request timestamp is more than five minutes from now');
      return;
    }
    inner(req, res);
  };
  return receiver;
}
