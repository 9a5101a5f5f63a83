/**
 * Wires the real Blocks client (real undici Agent, recording budget) to a fresh fake
 * Blocks server. `close` tears both down so the test process exits by itself.
 */
import { Agent } from 'undici';
import { type BlocksClient, type BlocksClientConfig, createBlocksClient } from '../../../src/services/blocks/index.js';
import { createFakeBlocks, type FakeBlocks, type FakeBlocksOptions } from '../../../src/simulators/blocks.js';
import { createPassThroughBudget, type RecordingBudget } from './pass-through-budget.js';

export interface Harness {
  fake: FakeBlocks;
  client: BlocksClient;
  budget: RecordingBudget;
  agent: Agent;
  close(): Promise<void>;
}

export async function startHarness(fakeOptions: FakeBlocksOptions = {}, clientOptions: Partial<BlocksClientConfig> = {}): Promise<Harness> {
  const fake = await createFakeBlocks({ script: { manual: true }, ...fakeOptions });
  const agent = new Agent({ keepAliveTimeout: 1_000 });
  const budget = createPassThroughBudget();
  const client = createBlocksClient({
    baseUrl: fake.url,
    apiKey: fake.apiKey,
    dispatcher: agent,
    budget,
    requestTimeoutMs: 2_000,
    // Tiny backoffs keep retries fast; no test asserts on durations.
    backoffMs: 1,
    maxBackoffMs: 5,
    random: () => 0.5,
    ...clientOptions,
  });
  return {
    fake,
    client,
    budget,
    agent,
    async close() {
      await fake.close();
      await agent.close();
    },
  };
}

export const SOME_UUID = '0b7f5a4e-1111-4c2d-9a00-000000000001';
