/**
 * A bridge child process on a one-group mirror world, started and with its Slack socket
 * up: the setup the ops tests that poke the running process share.
 */
import { type BridgeChild, startBridgeChild } from './bridge-child.js';
import { createMirrorWorld, type MirrorWorld } from './mirror-world.js';

export interface LinkedBridge {
  world: MirrorWorld;
  bridge: BridgeChild;
  /** The health server's base URL. */
  base: string;
}

export async function startLinkedBridge(extraEnv: Record<string, string> = {}): Promise<LinkedBridge> {
  const world = await createMirrorWorld({ groups: 1 });
  await world.seedLinks();
  const bridge = startBridgeChild({ config: world.config(), env: { ...world.env, ...extraEnv }, dir: world.dir });
  const started = await bridge.waitForLog((line) => line['msg'] === 'bridge started', 'the bridge started', 60_000);
  await world.slack.waitForSocket();
  return { world, bridge, base: `http://127.0.0.1:${String(started['healthPort'])}` };
}
