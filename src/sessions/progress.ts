/**
 * A running turn's progress, read in the same poll as its completion (spec/blocks-api.md
 * §8.2, §10.3): the thread's new assistant messages and tool calls since the `gts` cursor,
 * deduplicated by id, turned into steps people can read. Pure functions over the persisted
 * `TurnProgress`; the poll (turns.ts) does the request and the display (progress-display.ts)
 * shows what is new.
 *
 * Why the cursor-less `final_message` link is still read every few rounds: the cursor stream
 * may skip an item written in the same second as the cursor (§8.2 caveats), so it never
 * decides completion alone.
 */
import type { BlocksMessage } from '../services/blocks/types.js';

/** `off`: completion only, as before; `status`: a native "working" state; `steps`: status plus the steps. */
export type ProgressMode = 'off' | 'status' | 'steps';

/** One thing the agent did: ran a tool, or said something on the way. */
export interface ProgressStep {
  /** The Blocks message id it came from. */
  id: string;
  kind: 'tool' | 'text';
  /** What people see: "running `npm test`", or the (shortened) text. */
  text: string;
}

/** What a turn record keeps of its progress; plain JSON, restart-safe. */
export interface TurnProgress {
  /** The `gts` of the last read, exactly as the server wrote it. */
  cursor?: string;
  /** Ids already taken in (the newest ones), so that an overlap never shows a step twice. */
  seenIds: string[];
  /** The newest steps (for the step list); counts below cover every step. */
  steps: ProgressStep[];
  toolCalls: number;
  messages: number;
}

export const PROGRESS_LIMITS = Object.freeze({
  /** Ids remembered for dedup: far more than one page (100) can overlap. */
  maxSeenIds: 300,
  /** Steps kept in the record. */
  maxSteps: 20,
  /** Longest step text. */
  maxStepChars: 120,
  /** Slack's status line is short. */
  maxStatusChars: 90,
});

export function emptyProgress(): TurnProgress {
  return { seenIds: [], steps: [], toolCalls: 0, messages: 0 };
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/** What a tool argument says in a few words: a command, a path, a query, else the first string. */
function argumentSummary(args: Record<string, unknown>): string | undefined {
  for (const key of ['command', 'cmd', 'input', 'path', 'file_path', 'query', 'url', 'pattern']) {
    const value = args[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  for (const [key, value] of Object.entries(args)) if (key !== '__name__' && typeof value === 'string' && value.trim() !== '') return value;
  return undefined;
}

/**
 * A tool call's message is a JSON-encoded string whose `__name__` names the tool; the other
 * keys are its arguments, nested under `input` or spread (spec §6.2: parse leniently).
 */
export function describeToolCall(message: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return shorten(`running ${message}`, PROGRESS_LIMITS.maxStepChars);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'running a tool';
  const object = parsed as Record<string, unknown>;
  const name = typeof object.__name__ === 'string' && object.__name__ !== '' ? object.__name__ : 'a tool';
  const input = object.input;
  const args = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : object;
  const summary = typeof input === 'string' && input.trim() !== '' ? input : argumentSummary(args);
  // Backticks inside would break the code span.
  const shown = summary ? `${name} ${summary}`.replace(/`/g, "'") : name;
  return `running \`${shorten(shown, PROGRESS_LIMITS.maxStepChars - 10)}\``;
}

/** The step an item is, or undefined (final messages, empty text, other types). */
export function stepOf(item: BlocksMessage): ProgressStep | undefined {
  if (item.type === 'tool_call') return { id: item.id, kind: 'tool', text: describeToolCall(item.message) };
  if (item.type === 'message' && item.message.trim() !== '') return { id: item.id, kind: 'text', text: item.message };
  return undefined;
}

/**
 * Takes a read's items in: those already seen are dropped, and so is the copy of the final
 * answer that every finished thread holds as its last `message` (spec §6.2). Returns the new
 * state and the steps that are new.
 */
export function absorbItems(
  progress: TurnProgress,
  items: readonly BlocksMessage[],
  final: BlocksMessage | undefined,
  cursor: string | undefined,
): { progress: TurnProgress; fresh: ProgressStep[] } {
  const seen = new Set(progress.seenIds);
  const fresh: ProgressStep[] = [];
  const seenIds = [...progress.seenIds];
  for (const item of items) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    seenIds.push(item.id);
    if (final && item.type === 'message' && item.message === final.message) continue;
    const step = stepOf(item);
    if (step) fresh.push(step);
  }
  const tools = fresh.filter((step) => step.kind === 'tool').length;
  const next: TurnProgress = {
    ...progress,
    ...(cursor !== undefined ? { cursor } : {}),
    seenIds: seenIds.slice(-PROGRESS_LIMITS.maxSeenIds),
    steps: [...progress.steps, ...fresh.map((step) => ({ ...step, text: step.kind === 'text' ? shorten(step.text, PROGRESS_LIMITS.maxStepChars) : step.text }))].slice(
      -PROGRESS_LIMITS.maxSteps,
    ),
    toolCalls: progress.toolCalls + tools,
    messages: progress.messages + fresh.length - tools,
  };
  return { progress: next, fresh };
}

/**
 * Which request this poll round makes: the cursor-less completion link (the authority), or
 * the progress read. The link when progress is off or the turn has no thread id, else every
 * `finalCheckEvery`th round (the first round reads progress: it has no cursor to distrust).
 */
export function useCompletionLink(mode: ProgressMode, hasThread: boolean, round: number, finalCheckEvery: number): boolean {
  if (mode === 'off' || !hasThread) return true;
  return finalCheckEvery > 0 && round > 0 && round % finalCheckEvery === 0;
}

/** The thread status line for the newest step ("is running `npm test`…"). */
export function statusTextOf(step: ProgressStep | undefined): string {
  if (!step) return 'is working…';
  const text = step.kind === 'tool' ? `is ${step.text}` : `is writing: ${step.text}`;
  return shorten(text, PROGRESS_LIMITS.maxStatusChars).replace(/…?$/, '…');
}

/** The counts line: "5 steps: 3 tool calls, 2 messages". */
export function countsText(progress: Pick<TurnProgress, 'toolCalls' | 'messages'>): string {
  const total = progress.toolCalls + progress.messages;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(total, 'step')}: ${plural(progress.toolCalls, 'tool call')}, ${plural(progress.messages, 'message')}`;
}

/** The compact step list under the status: the last `lastN` steps and the counts. */
export function stepListText(header: string, progress: TurnProgress, lastN: number): string {
  if (progress.toolCalls + progress.messages === 0) return header;
  const shown = progress.steps.slice(-Math.max(1, lastN));
  const lines = shown.map((step) => `• ${step.kind === 'tool' ? step.text : `_${step.text.replace(/[_*]/g, '')}_`}`);
  return [header, ...lines, countsText(progress)].join('\n');
}

/** True when a display last shown at `shownAt` may be shown again (per-turn throttle). */
export function displayDue(shownAt: number | undefined, at: number, minIntervalMs: number): boolean {
  return shownAt === undefined || at - shownAt >= minIntervalMs;
}
