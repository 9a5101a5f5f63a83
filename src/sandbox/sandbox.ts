/**
 * The sandbox: simulators, the real bridge (createBridge, as production builds it) wired to
 * them over loopback with its embedded store in the data dir, and the web console. The
 * view is rebuilt on a short tick (the simulators are written for tests: they keep state
 * rather than announce changes, and some changes come from timers, such as an agent
 * finishing); a changed view goes to open pages, and changed content is saved to disk.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Bridge, createBridge } from '../app/bridge.js';
import { describeError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { collectAnswers, createConsoleActions } from './actions.js';
import { sandboxBridgeConfig } from './bridge-config.js';
import { createChatButtons } from './chat-buttons.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';
import { readSnapshot, writeSnapshot } from './persist/snapshot-file.js';
import { createSidePaneActions } from './side-pane.js';
import { buildView } from './view.js';
import type { CommandEntry, ConsoleView } from './view-types.js';
import { createSandboxWorld, type SandboxWorld } from './world.js';

export interface SandboxOptions {
  dataDir: string;
  host: string;
  port: number;
  /** How long a simulated Blocks agent works before answering. */
  agentDelayMs: number;
  /** How often the view is rebuilt. */
  refreshMs?: number;
}

export interface Sandbox {
  readonly url: string;
  readonly portFallback: boolean;
  readonly dataDir: string;
  readonly logFile: string;
  /** False on the first run in this data dir. */
  readonly restored: boolean;
  readonly bridge: Bridge;
  /** How long each start-up step took, in ms (for the ready line). */
  readonly timings: { simulators: number; bridge: number; console: number };
  view(): ConsoleView;
  /** Stops the console, the bridge and the simulators, saving everything first. Safe to call twice. */
  stop(): Promise<void>;
}

const SAVE_EVERY_MS = 1_000;

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'bridge.log');
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const logger = createLogger({ level: 'info', destination: logStream });
  const consoleFile = join(dataDir, 'console.json');
  const commands: CommandEntry[] = (readSnapshot(consoleFile) as { commands: CommandEntry[] } | undefined)?.commands ?? [];

  const started = performance.now();
  const world: SandboxWorld = await createSandboxWorld({ dataDir, agentDelayMs: options.agentDelayMs });
  const simulatorsReady = performance.now();
  let bridge: Bridge | undefined;
  let server: ConsoleServer | undefined;
  try {
    bridge = await createBridge(sandboxBridgeConfig(world, dataDir), { logger });
    await bridge.start();
  } catch (error) {
    await bridge?.stop().catch(() => undefined);
    await world.close();
    logStream.end();
    throw error;
  }
  const running = bridge;
  const bridgeReady = performance.now();

  const save = (): void => {
    world.save();
    writeSnapshot(consoleFile, { commands });
  };
  const buttons = createChatButtons(world, commands);
  let current = await buildView(world, running, commands, buttons);
  let published = JSON.stringify(current);
  let content = JSON.stringify({ ...current, budget: undefined });
  let savedContent = content;
  let lastSave = 0;
  let refreshing: Promise<void> | undefined;

  async function rebuild(): Promise<void> {
    collectAnswers(world, commands);
    current = await buildView(world, running, commands, buttons);
    const next = JSON.stringify(current);
    if (next !== published) {
      published = next;
      server?.publish(current);
    }
    content = JSON.stringify({ ...current, budget: undefined });
    // The budget changes as the window slides; only what people and agents did is worth a write.
    if (content !== savedContent && Date.now() - lastSave >= SAVE_EVERY_MS) {
      save();
      savedContent = content;
      lastSave = Date.now();
    }
  }
  /** One rebuild at a time; a call during one waits for it and then runs its own. */
  const refresh = async (): Promise<void> => {
    while (refreshing) await refreshing;
    refreshing = rebuild().finally(() => {
      refreshing = undefined;
    });
    await refreshing;
  };

  const onError = (error: unknown): void => logger.error({ err: describeError(error) }, 'sandbox console error');
  try {
    server = await startConsoleServer({
      host: options.host,
      port: options.port,
      actions: createConsoleActions(world, running, commands, () => server?.url ?? ''),
      buttons,
      sidePane: createSidePaneActions(world),
      currentView: () => current,
      refresh,
      onError,
    });
  } catch (error) {
    await running.stop();
    await world.close();
    logStream.end();
    throw error;
  }
  const consoleServer = server;
  const timings = { simulators: simulatorsReady - started, bridge: bridgeReady - simulatorsReady, console: performance.now() - bridgeReady };
  const ticker = setInterval(() => {
    refresh().catch(onError);
  }, options.refreshMs ?? 300);

  let stopping: Promise<void> | undefined;
  return {
    url: consoleServer.url,
    portFallback: consoleServer.portFallback,
    dataDir,
    logFile,
    restored: world.restored,
    bridge: running,
    timings,
    view: () => current,
    stop() {
      stopping ??= (async () => {
        clearInterval(ticker);
        await consoleServer.close();
        while (refreshing) await refreshing;
        await running.stop();
        collectAnswers(world, commands);
        save();
        await world.close();
        await new Promise<void>((done) => logStream.end(done));
      })();
      return stopping;
    },
  };
}
