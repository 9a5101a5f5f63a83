/**
 * The fake Slack's Socket Mode side and its HTTP twin: accepting app connections, handing
 * them envelopes, signed POSTs to the app's events URL, and closing connections politely.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { signatureHeaders } from './payloads.js';
import type { FakeSlackState } from './state.js';

export type DeliveryType = 'events_api' | 'slash_commands' | 'interactive';

/** What shapes one delivery (a subset of the public DeliveryOptions). */
export interface DeliveryShape {
  forgeSignature?: boolean;
  timestampAgeSeconds?: number;
  retryNum?: number;
  retryReason?: string;
}

/** Accepts a Socket Mode connection: tracks it, records its acks and greets it with hello. */
export function acceptSocket(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, sockets: Set<WebSocket>, state: FakeSlackState, appId: string): void {
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.add(ws);
    ws.on('close', () => {
      sockets.delete(ws);
      state.emit('change');
    });
    ws.on('message', (data) => {
      let frame: { envelope_id?: unknown; payload?: unknown };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        return;
      }
      if (typeof frame.envelope_id === 'string') state.recordAck(frame.envelope_id, frame.payload);
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: sockets.size, connection_info: { app_id: appId }, debug_info: { host: 'fake-slack' } }), () => {
      state.emit('change');
    });
  });
}

export function socketEnvelope(envelopeId: string, type: DeliveryType, payload: Record<string, unknown>, delivery: DeliveryShape): Record<string, unknown> {
  return {
    envelope_id: envelopeId,
    type,
    payload,
    accepts_response_payload: type !== 'events_api',
    ...(delivery.retryNum !== undefined ? { retry_attempt: delivery.retryNum, retry_reason: delivery.retryReason ?? 'timeout' } : { retry_attempt: 0, retry_reason: '' }),
  };
}

/** POSTs a delivery to the app's events URL, signed as Slack signs it (or forged). */
export async function postSigned(
  target: string,
  type: DeliveryType,
  payload: Record<string, unknown>,
  form: string,
  delivery: DeliveryShape,
  signingSecret: string,
): Promise<{ status: number; body: string }> {
  const rawBody = type === 'events_api' ? JSON.stringify(payload) : form;
  const timestamp = Math.floor(Date.now() / 1000) - (delivery.timestampAgeSeconds ?? 0);
  const secret = delivery.forgeSignature ? 'not-the-signing-secret' : signingSecret;
  const headers: Record<string, string> = {
    // Exactly this Content-Type for commands: with a charset Bolt parses JSON and answers 400.
    'content-type': type === 'events_api' ? 'application/json' : 'application/x-www-form-urlencoded',
    ...signatureHeaders(secret, rawBody, timestamp),
    ...(delivery.retryNum !== undefined ? { 'x-slack-retry-num': String(delivery.retryNum), 'x-slack-retry-reason': delivery.retryReason ?? 'http_timeout' } : {}),
  };
  const response = await fetch(target, { method: 'POST', headers, body: rawBody });
  return { status: response.status, body: await response.text() };
}

/**
 * Asks open clients to close and waits for their answer: terminating at once leaves a
 * Socket Mode client waiting out its close-handshake timeout.
 */
export async function closeSockets(sockets: Set<WebSocket>): Promise<void> {
  await Promise.all(
    [...sockets].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(1001, 'fake Slack closing');
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 2_000).unref();
        }),
    ),
  );
}
