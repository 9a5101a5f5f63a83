/**
 * The fake Discord's one loopback HTTP server: REST under `/api/v10/` and the gateway's
 * WebSocket upgrades. The gateway learns its own URL (for READY) once the port is known.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultPlan } from '../fault-plan.js';
import { createFakeGateway, type FakeGateway } from './gateway.js';
import { handleRest } from './rest.js';
import type { FakeDiscordState } from './state.js';

export interface DiscordServer {
  readonly port: number;
  readonly gateway: FakeGateway;
  /** `ws://127.0.0.1:PORT`. */
  gatewayUrl(): string;
  close(): Promise<void>;
}

/** Starts the server on a free port and routes `state.dispatch` to the gateway. */
export async function startDiscordServer(state: FakeDiscordState, options: { heartbeatIntervalMs: number; faultPlan?: FaultPlan | undefined }): Promise<DiscordServer> {
  let port = 0;
  const gatewayUrl = (): string => `ws://127.0.0.1:${port}`;
  const gateway = createFakeGateway(state, { heartbeatIntervalMs: options.heartbeatIntervalMs, url: gatewayUrl });
  state.dispatch = (event, data) => gateway.dispatch(event, data);

  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith('/api/v10/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: '404: Not Found', code: 0 }));
      return;
    }
    handleRest(state, gatewayUrl(), req, res, options.faultPlan).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fake failure: ${String(error)}`, code: 0 }));
    });
  });
  server.on('upgrade', (request, socket, head) => gateway.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  return {
    port,
    gateway,
    gatewayUrl,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
