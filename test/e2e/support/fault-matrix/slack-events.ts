/**
 * Slack events the way Slack delivers them over Socket Mode: an envelope the app has not
 * acknowledged is sent again (same event id, `retry_attempt` + 1) after `retryAfterMs`, up
 * to Slack's three retries and then some (a fault may cost a few).
 */
import type { FakeSlack } from '../../../../src/simulators/slack.js';

export interface SlackSender {
  /** Delivers `event` until the bridge acknowledges one of its envelopes. */
  send(event: Record<string, unknown>): void;
  close(): void;
}

export function createSlackSender(slack: FakeSlack, options: { retryAfterMs?: number; prefix: string }): SlackSender {
  const retryAfterMs = options.retryAfterMs ?? 2_000;
  const pending: Array<{ event: Record<string, unknown>; eventId: string; envelopes: Set<string>; attempts: number; lastAt: number }> = [];
  let count = 0;

  function deliver(entry: (typeof pending)[number]): void {
    const retryNum = entry.attempts;
    entry.attempts += 1;
    entry.lastAt = Date.now();
    slack
      .deliverEvent(entry.event, { eventId: entry.eventId, waitForAck: false, ...(retryNum > 0 ? { retryNum, retryReason: 'timeout' } : {}) })
      .then((result) => {
        if (result.envelopeId) entry.envelopes.add(result.envelopeId);
      })
      .catch(() => undefined);
  }

  const acked = (entry: (typeof pending)[number]): boolean => slack.state.acks.some((ack) => entry.envelopes.has(ack.envelopeId));
  const sweep = setInterval(() => {
    const now = Date.now();
    for (let i = pending.length - 1; i >= 0; i -= 1) {
      const entry = pending[i]!;
      if (acked(entry)) pending.splice(i, 1);
      else if (now - entry.lastAt >= retryAfterMs && entry.attempts < 10) deliver(entry);
    }
  }, 250);
  sweep.unref();

  return {
    send(event) {
      count += 1;
      const entry = { event, eventId: `Ev${options.prefix}${String(count).padStart(6, '0')}`, envelopes: new Set<string>(), attempts: 0, lastAt: 0 };
      pending.push(entry);
      deliver(entry);
    },
    close() {
      clearInterval(sweep);
    },
  };
}
