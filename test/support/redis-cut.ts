/**
 * A TCP relay in front of the shared Redis that a test can cut (the store sees Redis as
 * unreachable: connections refused, open ones reset) and restore on the same port, with
 * Redis's data intact. Nothing is stopped on the shared server itself.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

export interface RedisCut {
  url: string;
  /** Refuses and resets every connection until `restore`. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedisCut(target: { host?: string; port?: number } = {}): Promise<RedisCut> {
  const sockets = new Set<Socket>();
  const relay = (inbound: Socket): void => {
    const outbound = connect(target.port ?? 6379, target.host ?? '127.0.0.1');
    sockets.add(inbound);
    sockets.add(outbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    const drop = (): void => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
  };
  const listen = async (port: number): Promise<Server> => {
    const server = createServer(relay);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return server;
  };
  let server: Server | undefined = await listen(0);
  const { port } = server.address() as AddressInfo;
  const shut = async (): Promise<void> => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: shut,
    async restore() {
      server ??= await listen(port);
    },
    close: shut,
  };
}
