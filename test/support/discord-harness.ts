/**
 * Test wiring for the Discord adapter against the fake: one fake, one adapter built from
 * the real code, events collected, and a teardown that leaves nothing open.
 */
import { Writable } from 'node:stream';
import type { CommandInvocation, InboundEvent } from '../../src/core/chat.js';
import { createLogger } from '../../src/core/logger.js';
import type { DiscordAdapterConfig } from '../../src/platforms/discord/config.js';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/platforms/discord/index.js';
import { createFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../../src/simulators/discord.js';

export const TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAw.fake00.token-for-tests-only-0000';
export const GUILD_ID = '100000000000000001';
export const CHANNEL_ID = '200000000000000001';
export const OTHER_CHANNEL_ID = '200000000000000002';
export const EXISTING_THREAD_ID = '200000000000000003';
export const APP_ID = '400000000000000001';

export interface Harness {
  fake: FakeDiscord;
  adapter: DiscordAdapter;
  events: InboundEvent[];
  /** Every log line the adapter wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the first collected event matching `predicate` (waiting for it if needed). */
  nextEvent<T extends InboundEvent>(predicate: (event: InboundEvent) => event is T): Promise<T>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    fake?: Partial<FakeDiscordOptions>;
    adapter?: Partial<DiscordAdapterConfig>;
    onCommand?: (invocation: CommandInvocation, adapter: DiscordAdapter) => Promise<void>;
  } = {},
): Promise<Harness> {
  const fake = await createFakeDiscord({
    token: TOKEN,
    applicationId: APP_ID,
    guildId: GUILD_ID,
    channels: [
      { id: CHANNEL_ID, name: 'general' },
      { id: OTHER_CHANNEL_ID, name: 'random' },
    ],
    threads: [{ id: EXISTING_THREAD_ID, parentId: CHANNEL_ID, name: 'old thread' }],
    ...options.fake,
  });
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const adapter = createDiscordAdapter(
    { token: TOKEN, apiUrl: fake.apiUrl, commands: [], restRetries: 0, ...options.adapter },
    { logger: createLogger({ level: 'debug', destination }) },
  );
  const events: InboundEvent[] = [];
  const waiters: Array<() => void> = [];
  adapter.onEvent(async (event) => {
    events.push(event);
    for (const wake of waiters.splice(0)) wake();
    if (event.kind === 'command' && options.onCommand) await options.onCommand(event, adapter);
  });
  await adapter.start();
  return {
    fake,
    adapter,
    events,
    logs,
    async nextEvent(predicate) {
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

export { eventually } from './eventually.js';
