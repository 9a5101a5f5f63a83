/**
 * A TCP relay in front of a Redis server that a test or the benchmark can cut (as a network
 * failure would) or slow down: replies from Redis are held back `delayMs` each, in order.
 */
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

export interface RedisRelay {
  url: string;
  /** Holds every later reply chunk back this long (0: pass at once). */
  setReplyDelay(ms: number): void;
  cut(): Promise<void>;
}

export async function startRedisRelay(target: { host?: string; port?: number } = {}): Promise<RedisRelay> {
  const sockets = new Set<Socket>();
  let delayMs = 0;
  const server = createServer((inbound) => {
    const outbound = connect(target.port ?? 6379, target.host ?? '127.0.0.1');
    sockets.add(inbound);
    sockets.add(outbound);
    inbound.pipe(outbound);
    // Chunks keep their order: each waits for its own delay after the previous one left.
    let last = Promise.resolve();
    outbound.on('data', (chunk: Buffer) => {
      const wait = delayMs;
      last = last
        .then(() => (wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : undefined))
        .then(() => {
          if (!inbound.destroyed) inbound.write(chunk);
        });
    });
    const drop = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    setReplyDelay(ms) {
      delayMs = ms;
    },
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
