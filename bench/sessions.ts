/**
 * Benchmark of agent-session reply delay (npm run bench:sessions): N = 1, 10 and 50
 * concurrent sessions whose scripted agents (Blocks fake, strict sliding window) answer at
 * random times between 5 s and 120 s, started by mentions in Slack and answered by the real
 * session engine and poll scheduler through the real Blocks budget and client, the answer
 * posted through real Bolt to the fake Slack. Compared in the same run with the naive
 * strategy of the docs (each session GETs its final_message every 5 s, no budget).
 *
 * The clock is shortened by configuration only: every duration (rate window, safety margin,
 * backoffs, poll intervals, agent delays, the docs' 5 s) is multiplied by TIME_SCALE (0.1 by
 * default, BENCH_TIME_SCALE to change it); the limit stays 100 per window. Delays are
 * measured on that clock: delay = the answer's Slack ts − the Blocks final message's
 * created_at. The targets (real clock ≤ 2 s, 5 s, 20 s median) are scaled the same way.
 * At N = 1 a single session is a single sample, so that run is repeated (one session at a
 * time, BENCH_TRIALS_AT_ONE rounds). Each strategy runs on its own fake Blocks (own key,
 * own window), both at once, on the same seeded agent run times.
 *
 * Issue 18: the agents also write intermediate messages and tool calls, which the bridge
 * reads in the same polls (progress) and shows in Slack; a third strategy, the same
 * scheduler polling the final_message link alone (`sessions.progress: off`), runs beside it
 * on its own fake, so `requests_per_turn` can be compared with `completion_only_requests_per_turn`.
 * `progress_delay_*`: an item's created_at at the fake → the first Slack call carrying it.
 * `idle_polls_per_turn`: polls beyond one per own (unscaled) poll interval of the turn's run.
 *
 * The last line is one JSON object: {"runs":[{sessions, violations, median_delay_ms,
 * p95_delay_ms, naive_median_delay_ms, naive_429s, requests_per_turn, …}]}.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type BridgeConfig, sessionsDefaults } from '../src/config/schema.js';
import { type AgentScript, maxInAnyWindow, type TurnContext } from '../src/simulators/blocks.js';
import { type NaiveRunResult, runNaive } from './sessions-naive.js';
import { startSessionsRig } from './sessions-rig.js';

const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.1);
const SIZES = (process.env.BENCH_SESSIONS ?? '1,10,50').split(',').map(Number);
/** One session gives one sample: at N = 1 the run is repeated (one session at a time) for a median worth the name. */
const TRIALS_AT_ONE = Number(process.env.BENCH_TRIALS_AT_ONE ?? 5);
/**
 * Ten or fifty sessions give too few samples for a stable median poll delay on a shared
 * machine (single runs of N = 50 ranged 9.8–15.3 s real-equivalent): those runs are repeated too.
 */
const TRIALS_AT_MANY = Number(process.env.BENCH_TRIALS_AT_MANY ?? 3);
const AGENT_MIN_MS = 5_000;
const AGENT_MAX_MS = 120_000;
const NAIVE_POLL_MS = 5_000;
const TARGET_MEDIAN_MS: Record<number, number> = { 1: 2_000, 10: 5_000, 50: 20_000 };
/** Issue 18: from the final message to the poll that sees it, real clock (N=50: no worse than before). */
const TARGET_POLL_DELAY_MS: Record<number, number> = { 1: 500, 10: 2_000, 50: 12_800 };
const round2 = (value: number): number => Math.round(value * 100) / 100;
/** The scheduler run gives up this long (real time) after the last agent answered. */
const GUARD_MS = 60_000;
const CHANNEL = 'C0BENCH';

const scaled = (ms: number): number => Math.round(ms * TIME_SCALE);
const rateLimit: BridgeConfig['blocks']['rateLimit'] = {
  limit: 100,
  windowMs: scaled(60_000),
  safetyMarginMs: scaled(1_000),
  interactiveReserve: 10,
  backoffMs: scaled(1_000),
  maxBackoffMs: scaled(30_000),
  shareAcrossPrefixes: true,
};
const sessions: BridgeConfig['sessions'] = {
  ...sessionsDefaults(),
  pollIntervalMs: scaled(5_000),
  maxPollIntervalMs: scaled(60_000),
  turnTimeoutMinutes: 60,
  attachAsFileOverChars: 12_000,
  boundChannelMode: 'queue',
  progressMinEditMs: scaled(2_000),
  progressStatusRefreshMs: scaled(90_000),
  progressTypingEveryMs: scaled(8_000),
};

/** Small seeded PRNG (mulberry32), so both strategies get the same agents at each N. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Agent run times (real-clock ms; the fake multiplies them by TIME_SCALE), uniform in [5 s, 120 s]. */
function agentDelays(count: number, trials: number): number[] {
  const random = seeded(count * 7919);
  return Array.from({ length: count * trials }, () => Math.round(AGENT_MIN_MS + random() * (AGENT_MAX_MS - AGENT_MIN_MS)));
}

/** Intermediate items per agent run (issue 18): messages and tool calls, spread over the run. */
const PROGRESS_STEPS = 3;

/**
 * The agent for the prompt `task-<i>` takes `delays[i]`; with `progress`, it writes
 * PROGRESS_STEPS messages and as many tool calls on the way, each with a token of its own
 * (`task-<i>/m<k>`, `task-<i>/t<k>`) that the bench finds again in what Slack was sent.
 */
function scriptFor(delays: number[], progress = false): (ctx: TurnContext) => AgentScript {
  return (ctx) => {
    const task = Number(/task-(\d+)/.exec(ctx.prompt)?.[1] ?? 0);
    const delayMs = delays[task] ?? AGENT_MIN_MS;
    if (!progress) return { delayMs };
    const steps = Array.from({ length: PROGRESS_STEPS }, (_, k) => k);
    return {
      delayMs,
      progress: steps.map((k) => `working on task-${task}/m${k}`),
      toolCalls: steps.map((k) => ({ name: 'bash', input: `run task-${task}/t${k}` })),
    };
  };
}

interface SchedulerRun {
  delays: number[];
  pollDelays: number[];
  /** Intermediate item written at the fake → first Slack call carrying it. */
  progressDelays: number[];
  progressUnshown: number;
  /** Polls beyond one per own (unscaled) interval of each turn's run: the idle share's. */
  idlePolls: number;
  turns: number;
  unanswered: number;
  violations: number;
  tooMany: number;
  busiestWindow: number;
  requests: number;
  polls: number;
}

/** `trials` rounds of `count` concurrent sessions, each round started once the previous one is answered. */
async function runScheduler(count: number, trials: number, delays: number[], progress: boolean): Promise<SchedulerRun> {
  const rig = await startSessionsRig({
    rateLimit,
    sessions: progress ? sessions : { ...sessions, progress: 'off' },
    blocks: { script: scriptFor(delays, progress), timeScale: TIME_SCALE },
  });
  try {
    const fakeSlack = rig.slack.fake;
    // When each Slack call arrived (the fake keeps their order only).
    const callTimes: number[] = [];
    fakeSlack.state.on('change', () => {
      while (callTimes.length < fakeSlack.state.calls.length) callTimes.push(Date.now());
    });
    // Each delivery waits on the fake's change events; 50 at once is expected here, not a leak.
    fakeSlack.state.setMaxListeners(count + 10);
    const asked = new Map<string, string>();
    /** When a stream was stopped (its answer complete), by the stream message's ts. */
    const stoppedAt = (ts: string): number | undefined => {
      const index = fakeSlack.state.calls.findIndex((call) => call.method === 'chat.stopStream' && call.args['ts'] === ts);
      return index < 0 ? undefined : callTimes[index];
    };
    const answered = (): Map<string, number> => {
      const found = new Map<string, number>();
      for (const message of fakeSlack.state.history(CHANNEL)) {
        // A plain post is the answer; a stream ends with it once stopped (the steps come first).
        const answer = message.taskDisplayMode === undefined ? message.text : message.streaming === false ? /Done: task-\d+$/.exec(message.text)?.[0] : undefined;
        if (!answer || !message.threadTs || asked.get(answer) !== message.threadTs) continue;
        const at = message.taskDisplayMode === undefined ? Number(message.ts) * 1000 : stoppedAt(message.ts);
        if (at !== undefined) found.set(answer, at);
      }
      return found;
    };
    for (let trial = 0; trial < trials; trial += 1) {
      const tasks = Array.from({ length: count }, (_, i) => trial * count + i);
      await Promise.all(
        tasks.map(async (task) => {
          const event = fakeSlack.userMessage({ channel: CHANNEL, user: 'U0BENCH', text: `<@${fakeSlack.botUserId}> claude task-${task}` });
          await fakeSlack.deliverEvent(event);
          asked.set(`Done: task-${task}`, String(event['ts']));
        }),
      );
      const giveUpAt = Date.now() + scaled(Math.max(...tasks.map((task) => delays[task] ?? 0))) + GUARD_MS;
      while (answered().size < asked.size && Date.now() < giveUpAt) await sleep(20);
      await rig.engine.idle();
    }

    const posts = answered();
    const requests = rig.blocks.state.requests;
    const run: SchedulerRun = {
      delays: [],
      pollDelays: [],
      progressDelays: [],
      progressUnshown: 0,
      idlePolls: 0,
      turns: posts.size,
      unanswered: asked.size - posts.size,
      violations: rig.blocks.state.violations,
      tooMany: requests.filter((r) => r.status === 429).length,
      busiestWindow: maxInAnyWindow(
        requests.map((r) => r.arrivalMs),
        rateLimit.windowMs,
      ),
      requests: requests.length,
      polls: requests.filter((r) => r.priority === 'background').length,
    };
    for (const session of rig.blocks.state.sessions.values()) {
      const final = session.messages.find((message) => message.type === 'final_message');
      if (!final) continue;
      const createdAt = Date.parse(final.created_at);
      const postedAt = posts.get(final.message);
      if (postedAt !== undefined) run.delays.push(postedAt - createdAt);
      const threadPath = `/threads/${session.turns[0]?.threadId}/messages`;
      const seenBy = requests.find((r) => r.method === 'GET' && r.path.endsWith(threadPath) && r.arrivalMs >= createdAt && r.status === 200);
      if (seenBy) run.pollDelays.push(seenBy.arrivalMs - createdAt);
      const threadPolls = requests.filter((r) => r.method === 'GET' && r.path.endsWith(threadPath) && r.priority === 'background').length;
      const runMs = createdAt - Date.parse(session.created_at);
      run.idlePolls += Math.max(0, threadPolls - Math.ceil(runMs / sessions.pollIntervalMs));
      for (const item of session.messages) {
        const token = /task-\d+\/[mt]\d+/.exec(item.message)?.[0];
        if (!token || item.type === 'final_message') continue;
        const at = Date.parse(item.created_at);
        const shownIn = fakeSlack.state.calls.findIndex((call, index) => (callTimes[index] ?? 0) >= at && JSON.stringify(call.args).includes(token));
        if (shownIn < 0) run.progressUnshown += 1;
        else run.progressDelays.push((callTimes[shownIn] ?? at) - at);
      }
    }
    return run;
  } finally {
    await rig.close();
  }
}

const runs: Array<Record<string, number | boolean>> = [];
const started = Date.now();
console.log(
  `sessions bench: clock ×${TIME_SCALE} — rate window ${rateLimit.windowMs} ms (limit ${rateLimit.limit}, margin ${rateLimit.safetyMarginMs} ms, reserve ${rateLimit.interactiveReserve}), ` +
    `base poll ${sessions.pollIntervalMs} ms (max ${sessions.maxPollIntervalMs} ms), agents ${scaled(AGENT_MIN_MS)}–${scaled(AGENT_MAX_MS)} ms, naive poll every ${scaled(NAIVE_POLL_MS)} ms. ` +
    'Delays below are on this clock; divide by the scale for real-clock equivalents.',
);
/** The naive strategy on the same agents, round by round, on its own fake (its own key and window). */
async function runNaiveTrials(count: number, trials: number, delays: number[]): Promise<NaiveRunResult> {
  const total: NaiveRunResult = { delays: [], unanswered: 0, unansweredWaits: [], tooMany: 0, requests: 0, violations: 0 };
  for (let trial = 0; trial < trials; trial += 1) {
    const result = await runNaive({
      sessions: count,
      limit: rateLimit.limit,
      windowMs: rateLimit.windowMs,
      pollEveryMs: scaled(NAIVE_POLL_MS),
      graceMs: scaled(30_000),
      blocks: { script: scriptFor(delays.slice(trial * count, (trial + 1) * count)), timeScale: TIME_SCALE },
    });
    total.delays.push(...result.delays);
    total.unansweredWaits.push(...result.unansweredWaits);
    total.unanswered += result.unanswered;
    total.tooMany += result.tooMany;
    total.requests += result.requests;
    total.violations += result.violations;
  }
  return total;
}

for (const count of SIZES) {
  const trials = count === 1 ? TRIALS_AT_ONE : TRIALS_AT_MANY;
  const delays = agentDelays(count, trials);
  // Every strategy at once, each on its own fake Blocks (own key, own window): same agents, same run.
  // `mine` reads progress in its polls; `completionOnly` polls the final_message link alone.
  const [mine, completionOnly, naive] = await Promise.all([
    runScheduler(count, trials, delays, true),
    runScheduler(count, trials, delays, false),
    runNaiveTrials(count, trials, delays),
  ]);
  const naiveDelays = [...naive.delays, ...naive.unansweredWaits];
  const median = percentile(mine.delays, 50);
  const target = scaled(TARGET_MEDIAN_MS[count] ?? Number.NaN);
  const run = {
    sessions: count,
    trials,
    // The fake refuses (429) every arrival over the limit in any window; a busiest window over
    // the limit would be a violation too (it cannot happen without a refusal, but say so).
    violations: mine.violations + Math.max(0, mine.busiestWindow - rateLimit.limit),
    median_delay_ms: median,
    p95_delay_ms: percentile(mine.delays, 95),
    // The naive loop posts nothing: its delay ends at the poll that saw the answer.
    naive_median_delay_ms: percentile(naiveDelays, 50),
    naive_429s: naive.tooMany,
    time_scale: TIME_SCALE,
    target_median_delay_ms: target,
    meets_target: median <= target && mine.unanswered === 0,
    median_delay_real_equiv_ms: Math.round(median / TIME_SCALE),
    median_poll_delay_ms: percentile(mine.pollDelays, 50),
    median_poll_delay_real_equiv_ms: Math.round(percentile(mine.pollDelays, 50) / TIME_SCALE),
    target_median_poll_delay_real_equiv_ms: TARGET_POLL_DELAY_MS[count] ?? Number.NaN,
    requests_per_turn: round2(mine.requests / Math.max(1, mine.turns)),
    completion_only_requests_per_turn: round2(completionOnly.requests / Math.max(1, completionOnly.turns)),
    completion_only_median_poll_delay_ms: percentile(completionOnly.pollDelays, 50),
    completion_only_violations: completionOnly.violations + Math.max(0, completionOnly.busiestWindow - rateLimit.limit),
    idle_polls_per_turn: round2(mine.idlePolls / Math.max(1, mine.turns)),
    progress_delay_p50_ms: percentile(mine.progressDelays, 50),
    progress_delay_p95_ms: percentile(mine.progressDelays, 95),
    progress_delay_p50_real_equiv_ms: Math.round(percentile(mine.progressDelays, 50) / TIME_SCALE),
    progress_items_shown: mine.progressDelays.length,
    progress_items_unshown: mine.progressUnshown,
    unanswered: mine.unanswered,
    blocks_429s: mine.tooMany,
    busiest_window: mine.busiestWindow,
    blocks_requests: mine.requests,
    polls: mine.polls,
    naive_p95_delay_ms: percentile(naiveDelays, 95),
    naive_unanswered: naive.unanswered,
    naive_requests: naive.requests,
  };
  runs.push(run);
  console.log(
    `N=${count}: poll delay median ${run.median_poll_delay_real_equiv_ms} ms real-equivalent (target ≤ ${run.target_median_poll_delay_real_equiv_ms}), ` +
      `requests/turn ${run.requests_per_turn} (completion-only ${run.completion_only_requests_per_turn}), idle polls/turn ${run.idle_polls_per_turn}, ` +
      `progress delay p50 ${run.progress_delay_p50_ms} ms (${run.progress_items_unshown} unshown); ` +
      `median ${run.median_delay_ms} ms, p95 ${run.p95_delay_ms} ms (target median ≤ ${target} ms), violations ${run.violations}, busiest window ${mine.busiestWindow}/${rateLimit.limit}, ${mine.polls} polls; ` +
      `naive (to the poll that saw it, no post): median ${run.naive_median_delay_ms} ms, ${naive.tooMany} × 429 of ${naive.requests} requests, ${naive.unanswered} answers never seen` +
      (naive.unanswered > 0 ? ' (their delay counted as the time until the run ended: a lower bound)' : ''),
  );
}
console.log(`total ${Math.round((Date.now() - started) / 1000)} s`);
console.log(JSON.stringify({ runs }));
