/**
 * A redis-server of our own on a free port, for what must not touch the shared one (SCRIPT
 * FLUSH, FLUSHALL, a restart without data). Needs `redis-server` on the PATH.
 */
import { spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { withTestRedis } from './redis-test-helpers.js';

export interface OwnRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts one on a free port, or on `port` (to restart one that was stopped). */
export async function startOwnRedis(port?: number): Promise<OwnRedis> {
  port ??= await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await withTestRedis((client) => client.ping(), url);
      break;
    } catch (error) {
      if (attempt >= 50) {
        child.kill();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    port,
    async stop() {
      child.kill();
      await exited;
    },
  };
}
