/**
 * A request is "sent" only once its bytes may have left. When the Blocks rate budget cannot
 * admit a create or a follow-up (its shared Redis blipped: BudgetUnavailableError), nothing
 * reached Blocks, so the request is retried with backoff and the person gets the agent's
 * answer, not an error.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BudgetUnavailableError } from '../../src/ratelimit/errors.js';
import type { RateBudget } from '../../src/ratelimit/types.js';
import type { FakeSlackMessage } from '../../src/simulators/slack/state.js';
import { eventually, type SessionsRig, startSessionsRig } from './sessions-harness.js';

const CHANNEL = 'C0AGENTS';

function thread(rig: SessionsRig, rootTs: string): FakeSlackMessage[] {
  return rig.slack!.fake.state.history(CHANNEL).filter((m) => m.threadTs === rootTs && !m.deleted);
}

/** The real budget, except that the first admission of calls labelled `label` fails as if Redis were unreachable. */
function failingOnce(label: string): { wrap: (budget: RateBudget) => RateBudget; failures: () => number } {
  let failures = 0;
  return {
    failures: () => failures,
    wrap: (budget) => ({
      ...budget,
      schedule(options, send) {
        if (options.label === label && failures === 0) {
          failures += 1;
          return Promise.reject(new BudgetUnavailableError('Redis at 127.0.0.1:1 is unreachable: Blocks requests are not sent without the shared rate budget'));
        }
        return budget.schedule(options, send);
      },
    }),
  };
}

async function mention(rig: SessionsRig, text: string, threadTs?: string): Promise<string> {
  const fake = rig.slack!.fake;
  const event = fake.userMessage({ channel: CHANNEL, user: 'UADA', text, ...(threadTs ? { threadTs } : {}) });
  await fake.deliverEvent(event);
  return String(event['ts']);
}

const creates = (rig: SessionsRig) => rig.blocks.state.requests.filter((r) => r.method === 'POST' && r.path === '/rest/v1/sessions');

test('a budget that cannot admit the create once: the create is retried and the person gets the answer', async () => {
  const fault = failingOnce('blocks.createSession');
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { delayMs: 50 } }, wrapBudget: fault.wrap });
  try {
    const ts = await mention(rig, '<@UBRIDGE> fix the flaky test');
    await eventually(() => thread(rig, ts).find((m) => m.text === 'Done: fix the flaky test'), 'the answer');
    assert.equal(fault.failures(), 1, 'the budget refused the first admission');
    assert.equal(creates(rig).length, 1, 'Blocks saw exactly one create');
    assert.ok(!thread(rig, ts).some((m) => /may or may not have started|Could not start/.test(m.text)), 'no error in the thread');
  } finally {
    await rig.close();
  }
});

test('a budget that cannot admit a follow-up once: the follow-up is retried and answered', async () => {
  const fault = failingOnce('blocks.sendFollowUp');
  const rig = await startSessionsRig({ platform: 'slack', blocks: { script: { delayMs: 50 } }, wrapBudget: fault.wrap });
  try {
    const ts = await mention(rig, '<@UBRIDGE> fix the flaky test');
    await eventually(() => thread(rig, ts).find((m) => m.text === 'Done: fix the flaky test'), 'the first answer');
    await mention(rig, 'now add a test', ts);
    await eventually(() => thread(rig, ts).find((m) => m.text === 'Done: now add a test'), 'the follow-up answer');
    assert.equal(fault.failures(), 1, 'the budget refused the follow-up once');
    const followUps = rig.blocks.state.requests.filter((r) => r.method === 'POST' && /\/messages$/.test(r.path));
    assert.equal(followUps.length, 1, 'Blocks saw exactly one follow-up');
    assert.ok(!thread(rig, ts).some((m) => /Could not send the follow-up|may or may not/.test(m.text)), 'no error in the thread');
  } finally {
    await rig.close();
  }
});
