/**
 * Scripted agents for the fake Blocks server. Each turn runs one script: optional progress
 * messages and tool calls, then the final answer, written the way the real API writes it
 * (the last assistant `message` byte-identical to the `final_message`, fractional `ts`).
 *
 * When a turn finishes is chosen per script: after `delayMs` of (scaled) real time, on the
 * Nth poll of its session (`afterPolls`, deterministic and timer-free), or only when a test
 * calls `complete` (`manual`).
 */
import type { FakeMessage, FakePullRequest, FakeSession, FakeTurn, MessageFactory } from './store.js';

export interface TurnContext {
  sessionId: string;
  threadId: string;
  prompt: string;
  agentName?: string;
  agentId?: string;
  /** 0 for the turn opened by create, 1 for the first follow-up, … */
  turnIndex: number;
}

export interface AgentScript {
  /** The answer. Default: `Done: <prompt>`. An empty string is a valid (finished) answer. */
  final?: string | ((ctx: TurnContext) => string);
  /** Finish after this long (multiplied by the server's `timeScale`). Default 200 ms. */
  delayMs?: number;
  /** Finish on the Nth list request on the session instead (the page answering it already holds the final). */
  afterPolls?: number;
  /** Never finish on its own: call `fake.completeTurn(threadId)`. */
  manual?: boolean;
  /** Intermediate assistant messages, spread over the run before the final (tool calls interleaved). */
  progress?: string[];
  toolCalls?: Array<{ name: string; input?: unknown }>;
  /** Added to the session when the turn finishes, in whichever shape is given. */
  pullRequests?: FakePullRequest[];
  /** Write the final text twice (as `message` then `final_message`), as the real API does. Default true. */
  duplicateFinal?: boolean;
  /** When a follow-up interrupts this turn, write this as its final message (default: none, it stays open). */
  finalWhenInterrupted?: string;
}

export type AgentScriptSource = AgentScript | ((ctx: TurnContext) => AgentScript);

export interface AgentRunnerOptions {
  /** Scripts by agent name or agent id; `*` or `script` is the fallback. */
  agents?: Record<string, AgentScriptSource>;
  script?: AgentScriptSource;
  /** Multiplies every script delay: 0.01 turns a 5 s agent into 50 ms. Default 1. */
  timeScale?: number;
}

export interface AgentRunner {
  start(session: FakeSession, turn: FakeTurn): void;
  /** A list request touched the session: advance poll-driven turns first. */
  onPoll(session: FakeSession): void;
  interrupt(session: FakeSession, turn: FakeTurn): void;
  complete(session: FakeSession, turn: FakeTurn, finalText?: string): FakeMessage | undefined;
  close(): void;
}

const DEFAULT_DELAY_MS = 200;

export function createAgentRunner(options: AgentRunnerOptions, messages: MessageFactory): AgentRunner {
  const timers = new Map<string, NodeJS.Timeout>();
  const scripts = new Map<string, { script: AgentScript; ctx: TurnContext }>();
  const timeScale = options.timeScale ?? 1;

  function scriptFor(session: FakeSession, ctx: TurnContext): AgentScript {
    const agents = options.agents ?? {};
    const source =
      (session.agent.agent_name && agents[session.agent.agent_name]) || (session.agent.agent_id && agents[session.agent.agent_id]) || agents['*'] || options.script || {};
    return typeof source === 'function' ? source(ctx) : source;
  }

  /**
   * The script's intermediate items in the order the agent writes them: each tool call just
   * before the message of the same index (an agent acts, then says what it found).
   */
  function stepsOf(script: AgentScript): Array<{ type: 'message' | 'tool_call'; message: string }> {
    const texts = script.progress ?? [];
    const tools = script.toolCalls ?? [];
    const steps: Array<{ type: 'message' | 'tool_call'; message: string }> = [];
    for (let i = 0; i < Math.max(texts.length, tools.length); i += 1) {
      const tool = tools[i];
      if (tool) steps.push({ type: 'tool_call', message: JSON.stringify({ __name__: tool.name, input: tool.input ?? '' }) });
      const text = texts[i];
      if (text !== undefined) steps.push({ type: 'message', message: text });
    }
    return steps;
  }

  function writeProgress(session: FakeSession, turn: FakeTurn, script: AgentScript, upTo: number): void {
    const steps = stepsOf(script);
    while (turn.progressSent < Math.min(upTo, steps.length)) {
      const step = steps[turn.progressSent]!;
      messages.add(session, { chat_thread_id: turn.threadId, task_id: turn.taskId, role: 'assistant', type: step.type, message: step.message });
      turn.progressSent += 1;
    }
  }

  function clearTimers(threadId: string): void {
    for (const [key, timer] of timers) {
      if (key === threadId || key.startsWith(`${threadId}:`)) {
        clearTimeout(timer);
        timers.delete(key);
      }
    }
  }

  function complete(session: FakeSession, turn: FakeTurn, finalText?: string): FakeMessage | undefined {
    if (turn.status !== 'running') return undefined;
    clearTimers(turn.threadId);
    const entry = scripts.get(turn.threadId);
    const script = entry?.script ?? {};
    const ctx = entry?.ctx ?? { sessionId: session.id, threadId: turn.threadId, prompt: turn.prompt, turnIndex: 0 };
    writeProgress(session, turn, script, Number.POSITIVE_INFINITY);
    const text = finalText ?? (typeof script.final === 'function' ? script.final(ctx) : (script.final ?? `Done: ${turn.prompt}`));
    if (script.duplicateFinal !== false) {
      messages.add(session, { chat_thread_id: turn.threadId, task_id: turn.taskId, role: 'assistant', type: 'message', message: text });
    }
    const final = messages.add(session, { chat_thread_id: turn.threadId, task_id: turn.taskId, role: 'assistant', type: 'final_message', message: text });
    for (const pr of script.pullRequests ?? []) session.pull_requests.push(pr);
    turn.status = 'done';
    scripts.delete(turn.threadId);
    return final;
  }

  return {
    start(session, turn) {
      const ctx: TurnContext = {
        sessionId: session.id,
        threadId: turn.threadId,
        prompt: turn.prompt,
        turnIndex: session.turns.indexOf(turn),
        ...(session.agent.agent_name ? { agentName: session.agent.agent_name } : {}),
        ...(session.agent.agent_id ? { agentId: session.agent.agent_id } : {}),
      };
      const script = scriptFor(session, ctx);
      scripts.set(turn.threadId, { script, ctx });
      if (script.manual || script.afterPolls !== undefined) return;
      const delay = Math.max(0, (script.delayMs ?? DEFAULT_DELAY_MS) * timeScale);
      const steps = stepsOf(script);
      // Progress is spread over the delay so that incremental (gts) polling sees it arrive.
      steps.forEach((_step, index) => {
        const timer = setTimeout(() => writeProgress(session, turn, script, index + 1), (delay * (index + 1)) / (steps.length + 1));
        timer.unref();
        timers.set(`${turn.threadId}:p${index}`, timer);
      });
      const timer = setTimeout(() => complete(session, turn), delay);
      timer.unref();
      timers.set(turn.threadId, timer);
    },

    onPoll(session) {
      for (const turn of session.turns) {
        if (turn.status !== 'running') continue;
        const entry = scripts.get(turn.threadId);
        if (!entry || entry.script.afterPolls === undefined) continue;
        turn.polls += 1;
        if (turn.polls >= entry.script.afterPolls) complete(session, turn);
        else writeProgress(session, turn, entry.script, turn.polls);
      }
    },

    interrupt(session, turn) {
      if (turn.status !== 'running') return;
      clearTimers(turn.threadId);
      const script = scripts.get(turn.threadId)?.script;
      turn.status = 'interrupted';
      if (script?.finalWhenInterrupted !== undefined) {
        messages.add(session, { chat_thread_id: turn.threadId, task_id: turn.taskId, role: 'assistant', type: 'final_message', message: script.finalWhenInterrupted });
      }
      scripts.delete(turn.threadId);
    },

    complete,

    close() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
