/**
 * The fake Slack's one loopback HTTP server: the Web API and response_url endpoints over
 * HTTP, and Socket Mode connections upgraded under `/link/`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FaultPlan } from '../fault-plan.js';
import { routeHttp } from './http-routes.js';
import { acceptSocket, closeSockets } from './socket-mode.js';
import type { FakeSlackState } from './state.js';
import type { RateLimitPlan, WebApiIdentity } from './web-api.js';

export const SOCKET_PATH = '/link/';

export interface SlackServer {
  readonly port: number;
  /** Closes the Socket Mode connections politely, then the server. */
  close(): Promise<void>;
}

/** Starts the server on a free port; Socket Mode connections join `sockets`. */
export async function startSlackServer(wiring: {
  state: FakeSlackState;
  identity: WebApiIdentity;
  sockets: Set<WebSocket>;
  rateLimits: RateLimitPlan;
  faultPlan?: FaultPlan | undefined;
}): Promise<SlackServer> {
  const { state, identity, sockets } = wiring;
  const server = createServer((req, res) => {
    void routeHttp(req, res, state, identity, wiring.rateLimits, wiring.faultPlan).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith(SOCKET_PATH)) {
      socket.destroy();
      return;
    }
    acceptSocket(wss, req, socket, head, sockets, state, identity.appId);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      await closeSockets(sockets);
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
