/**
 * How the fake Slack hands the app what happened: over one of its Socket Mode connections
 * (round robin across replicas, optionally awaiting the ack) or as a signed POST to the app's
 * events URL. Everything one fake's deliveries share lives in a `SlackLink`.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { type DeliveryType, postSigned, socketEnvelope } from './socket-mode.js';
import type { FakeSlackAck, FakeSlackState } from './state.js';
import type { WebApiIdentity } from './web-api.js';

export interface DeliveryOptions {
  /** Socket Mode (default when a client is connected) or a signed POST to `httpUrl`. */
  via?: 'socket' | 'http';
  /** The app's events URL for HTTP delivery (defaults to the one set with `setAppUrl`). */
  httpUrl?: string;
  /** HTTP: sign with a wrong secret. */
  forgeSignature?: boolean;
  /** HTTP: sign with a timestamp this many seconds in the past (Bolt refuses > 300). */
  timestampAgeSeconds?: number;
  /** Mark the delivery as Slack's n-th retry (`x-slack-retry-num` / `retry_attempt`). */
  retryNum?: number;
  retryReason?: string;
  /** Socket Mode: resolve once the app acks (default true). */
  waitForAck?: boolean;
  /** Events: the Events API `event_id` (generated when absent). */
  eventId?: string;
  /** Deliver as from another workspace (`team_id`), e.g. one not on the app's allow-list. */
  teamId?: string;
  /** Commands: reuse a `trigger_id`, as a replayed request does (generated when absent). */
  triggerId?: string;
}

export interface DeliveryResult {
  /** HTTP delivery: the app's response. */
  status?: number;
  body?: string;
  /** Socket Mode delivery: the envelope and, when awaited, its ack. */
  envelopeId?: string;
  ack?: FakeSlackAck;
  /** Slash commands: the id under which posts to this command's response_url are recorded (`state.responses[].id`). */
  responseId?: string;
}

/** One counter for every id a fake makes up (connection tickets, envelopes, event, command and action ids), so none repeats. */
export class Sequence {
  #value = 0;

  next(): number {
    return ++this.#value;
  }

  get current(): number {
    return this.#value;
  }
}

/** What one fake Slack's deliveries share: its state, identity, open connections and where the app listens. */
export interface SlackLink {
  readonly state: FakeSlackState;
  readonly identity: WebApiIdentity;
  readonly sockets: Set<WebSocket>;
  readonly ids: Sequence;
  /** `http://127.0.0.1:PORT`, for response_url. */
  readonly baseUrl: string;
  readonly signingSecret: string;
  /** The app's `/slack/events`, for HTTP deliveries that name no URL. */
  appUrl: string | undefined;
  /** Whose turn it is among the open connections. */
  nextSocket: number;
}

/** Socket Mode when asked for, or by default while the app has a connection open; HTTP otherwise. */
export function transportFor(delivery: DeliveryOptions, openConnections: number): 'socket' | 'http' {
  return delivery.via ?? (openConnections > 0 ? 'socket' : 'http');
}

/** Slack hands each envelope to one of the app's open connections (replicas): round robin by turn. */
export function pickConnection<T>(open: readonly T[], turn: number): T | undefined {
  return open[turn % Math.max(1, open.length)];
}

/** A trigger id as unique as Slack's (`13345224609.738474920.8088…`, unique across workspaces and time), so two fakes never repeat one. */
export function newTriggerId(n: number): string {
  return `${Date.now()}.${n}.${randomBytes(8).toString('hex')}`;
}

/** Delivers one payload (`form`: its url-encoded body for HTTP commands and interactions). */
export async function deliver(link: SlackLink, type: DeliveryType, payload: Record<string, unknown>, form: string, delivery: DeliveryOptions): Promise<DeliveryResult> {
  if (transportFor(delivery, link.sockets.size) === 'socket') {
    const ws = pickConnection([...link.sockets], link.nextSocket++);
    if (!ws) throw new Error('fake Slack: no Socket Mode client connected');
    const envelopeId = `env-${link.ids.next()}`;
    ws.send(JSON.stringify(socketEnvelope(envelopeId, type, payload, delivery)));
    if (delivery.waitForAck === false) return { envelopeId };
    const ack = await link.state.waitFor(() => link.state.acks.find((candidate) => candidate.envelopeId === envelopeId), `ack of ${envelopeId}`);
    return { envelopeId, ack };
  }
  const target = delivery.httpUrl ?? link.appUrl;
  if (!target) throw new Error('fake Slack: no app URL for HTTP delivery (call setAppUrl)');
  return postSigned(target, type, payload, form, delivery, link.signingSecret);
}
