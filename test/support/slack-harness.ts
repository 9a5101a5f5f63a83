/**
 * Wires the real Slack adapter (real Bolt) to a fake Slack for tests and the sandbox:
 * collects the neutral events it emits and the JSON log lines it writes.
 */
import { EventEmitter } from 'node:events';
import type { InboundEvent, InboundHandler } from '../../src/core/chat.js';
import { createLogger } from '../../src/core/logger.js';
import type { SlackAdapterConfig } from '../../src/platforms/slack/config.js';
import { createSlackAdapter, type SlackAdapter } from '../../src/platforms/slack/index.js';
import { createFakeSlack, type FakeSlack, type FakeSlackOptions } from '../../src/simulators/slack.js';

export const TOKENS = {
  botToken: 'xoxb-1111_2222_fakebottoken',
  appToken: 'xapp-1-A111-3333-fakeapptoken',
  signingSecret: 'fake-signing-secret-0123456789',
} as const;

export interface SlackPair {
  fake: FakeSlack;
  adapter: SlackAdapter;
  events: InboundEvent[];
  logs: Array<Record<string, unknown>>;
  /** Replaces what the adapter's handler does with each event (it is still recorded first). */
  setBehaviour(behaviour: InboundHandler): void;
  waitForEvent(predicate: (event: InboundEvent) => boolean, description: string): Promise<InboundEvent>;
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, description: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startSlackPair(mode: 'socket' | 'http', options: { fake?: Partial<FakeSlackOptions>; adapter?: Partial<SlackAdapterConfig> } = {}): Promise<SlackPair> {
  const fake = await createFakeSlack({ ...TOKENS, ...options.fake });
  const changes = new EventEmitter();
  const events: InboundEvent[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write(line: string) {
        logs.push(JSON.parse(line) as Record<string, unknown>);
        changes.emit('change');
      },
    },
  });
  const adapter = createSlackAdapter(
    {
      botToken: TOKENS.botToken,
      appToken: TOKENS.appToken,
      signingSecret: TOKENS.signingSecret,
      mode,
      port: 0,
      apiUrl: fake.apiUrl,
      commandNames: ['block', 'bridge', 'agent'],
      clientRetries: 0,
      ...options.adapter,
    },
    { logger },
  );
  let behaviour: InboundHandler = async () => undefined;
  adapter.onEvent(async (event) => {
    events.push(event);
    changes.emit('change');
    await behaviour(event);
  });
  await adapter.start();
  if (mode === 'http') fake.setAppUrl(`http://127.0.0.1:${adapter.port}/slack/events`);
  else await fake.waitForSocket();

  function waitFor<T>(check: () => T | undefined, description: string): Promise<T> {
    const first = check();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise((resolve, reject) => {
      const onChange = (): void => {
        const value = check();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${description}`));
      }, 5_000);
      timer.unref();
      const done = (): void => {
        clearTimeout(timer);
        changes.off('change', onChange);
      };
      changes.on('change', onChange);
    });
  }

  return {
    fake,
    adapter,
    events,
    logs,
    setBehaviour(next) {
      behaviour = next;
    },
    waitForEvent: (predicate, description) => waitFor(() => events.find(predicate), description),
    waitForLog: (predicate, description) => waitFor(() => logs.find(predicate), description),
    async stop() {
      await adapter.stop();
      await fake.close();
    },
  };
}
