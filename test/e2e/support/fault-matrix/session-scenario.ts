/**
 * The fault matrix's session scenario, in a Slack channel and a Discord channel of their own
 * (neither linked to Fluxra): a person mentions the
 * bridge (a create), three more mentions at once (queued creates, one of them asking for a
 * long answer), and a follow-up in the first thread once it was answered. `check` says
 * whether every person was answered exactly once: the agent's answer, or one honest "may have
 * started" notice where the cell allows it (a create or follow-up that timed out after
 * arriving), and never a second session or a second follow-up on Blocks.
 */
import type { FakeBlocks } from '../../../../src/simulators/blocks.js';
import type { FakeDiscord } from '../../../../src/simulators/discord.js';
import type { FakeSlack } from '../../../../src/simulators/slack.js';
import { DISCORD_PEOPLE, SLACK_PEOPLE } from '../mirror-world.js';
import type { ScenarioCheck } from './mirror-scenario.js';
import type { SlackSender } from './slack-events.js';
import { AGENTS_CHANNEL, DISCORD_AGENTS_CHANNEL, LONG_CHUNKS } from './world.js';

/** Where people ask: how a message is written there, and what the bridge said in a thread. */
export interface AskPlace {
  name: 'slack' | 'discord';
  /** Writes `text` (in the thread `threadKey` when given); returns the thread key it opens. */
  ask(person: number, text: string, threadKey?: string): string;
  botTextsIn(threadKey: string): string[];
  mention: string;
}

export function slackPlace(slack: FakeSlack, sender: SlackSender): AskPlace {
  return {
    name: 'slack',
    mention: `<@${slack.botUserId}>`,
    ask(person, text, threadKey) {
      const user = SLACK_PEOPLE[person % SLACK_PEOPLE.length]!.id;
      const event = slack.userMessage({ channel: AGENTS_CHANNEL, user, text, ...(threadKey ? { threadTs: threadKey } : {}) });
      sender.send(event);
      return String(event['ts']);
    },
    botTextsIn: (threadKey) =>
      slack.state
        .history(AGENTS_CHANNEL)
        .filter((message) => message.threadTs === threadKey && !message.deleted && message.user === slack.botUserId)
        .map((message) => message.text),
  };
}

/** Discord answers in a thread started from the asking message (the thread has its id). */
export function discordPlace(discord: FakeDiscord): AskPlace {
  const botId = discord.state.botUser.id;
  return {
    name: 'discord',
    mention: `<@${botId}>`,
    ask(person, text, threadKey) {
      const author = DISCORD_PEOPLE[person % DISCORD_PEOPLE.length]!;
      const written = discord.sendMessage({ channelId: threadKey ?? DISCORD_AGENTS_CHANNEL, content: text, author: { id: author.id, username: author.username } });
      return threadKey ?? written.id;
    },
    botTextsIn: (threadKey) => (discord.state.messages.get(threadKey) ?? []).filter((message) => message.author.id === botId).map((message) => message.content),
  };
}

export interface SessionRequest {
  place: AskPlace;
  prompt: string;
  /** The thread the answer belongs in. */
  threadKey: string;
  kind: 'create' | 'follow-up';
  /** The exact answer, or the chunk prefix of a long one. */
  answer: string | { longPrefix: string };
  /** A follow-up's create: when that got a notice, "did not start, nothing to follow up" answers the follow-up. */
  after?: SessionRequest;
}

export interface SessionRun {
  cell: string;
  requests: SessionRequest[];
}

const MAY_HAVE_STARTED = /may or may not have (started|reached the agent)|did not start, so there is nothing to follow up/;
/** The answer to a mention the bridge could not make durable (its store down): honest, and nothing started. */
const UNAVAILABLE = /temporarily unavailable and could not take this request/;

async function until(predicate: () => boolean, maxMs: number): Promise<void> {
  const started = Date.now();
  while (!predicate() && Date.now() - started < maxMs) await new Promise((resolve) => setTimeout(resolve, 50));
}

export async function runSessionScenario(place: AskPlace, cell: string, stepMaxMs: number): Promise<SessionRun> {
  const tag = `${place.name[0]}${cell.replace(/\W+/g, '')}`;
  const requests: SessionRequest[] = [];
  const create = (person: number, prompt: string, answer: SessionRequest['answer']): SessionRequest => {
    const threadKey = place.ask(person, `${place.mention} ${prompt}`);
    const request: SessionRequest = { place, prompt, threadKey, kind: 'create', answer };
    requests.push(request);
    return request;
  };
  const first = create(0, `q${tag}a`, `Done: q${tag}a`);
  create(1, `q${tag}b`, `Done: q${tag}b`);
  create(0, `q${tag}c`, `Done: q${tag}c`);
  const longPrompt = `long q${tag}d`;
  create(1, longPrompt, { longPrefix: `LA${longPrompt.replace(/\W+/g, '')}` });

  await until(() => answeredOnce(first) !== undefined, stepMaxMs);
  const prompt = `more q${tag}e`;
  place.ask(0, prompt, first.threadKey);
  requests.push({ place, prompt, threadKey: first.threadKey, kind: 'follow-up', answer: `Follow-up done: ${prompt}`, after: first });
  return { cell, requests };
}

/** How `request` was answered so far: 'answer', 'notice', or undefined; 'twice' when more than once. */
function answeredOnce(request: SessionRequest): 'answer' | 'notice' | 'twice' | undefined {
  const thread = request.place.botTextsIn(request.threadKey);
  let answers: number;
  if (typeof request.answer === 'string') {
    const text = request.answer;
    answers = thread.filter((message) => message === text).length;
  } else {
    const pattern = new RegExp(`\\b${request.answer.longPrefix}-\\d\\d\\b`, 'g');
    const chunks = thread.flatMap((message) => message.match(pattern) ?? []);
    const complete = new Set(chunks).size === LONG_CHUNKS;
    answers = complete ? Math.round(chunks.length / LONG_CHUNKS) : 0;
  }
  const notices = thread.filter(
    (message) => UNAVAILABLE.test(message) || (MAY_HAVE_STARTED.test(message) && (request.kind === 'create' ? /have started/.test(message) : /follow-up|follow up/.test(message))),
  ).length;
  if (answers + notices > 1) return 'twice';
  if (answers === 1) return 'answer';
  if (notices === 1) return 'notice';
  return undefined;
}

export function sessionsSettled(run: SessionRun): boolean {
  return run.requests.every((request) => answeredOnce(request) !== undefined);
}

/**
 * `noticeAllowed`: the cell made a Blocks create or follow-up time out after it arrived, so
 * the bridge cannot know whether it started; one notice then counts as the answer.
 */
export function checkSessionRun(blocks: FakeBlocks, run: SessionRun, noticeAllowed: { create: boolean; followUp: boolean; unavailable?: boolean }): ScenarioCheck {
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  for (const request of run.requests) {
    const how = answeredOnce(request);
    const what = `${request.place.name} ${request.kind} "${request.prompt}"`;
    if (how === undefined) {
      lost += 1;
      problems.push(`${what} never answered`);
    } else if (how === 'twice') {
      duplicated += 1;
      problems.push(`${what} answered more than once`);
    } else if (
      how === 'notice' &&
      !noticeAllowed.unavailable &&
      !(request.kind === 'create' ? noticeAllowed.create : noticeAllowed.followUp || (request.after && answeredOnce(request.after) === 'notice'))
    ) {
      lost += 1;
      problems.push(`${what} got a "may have started" notice for a fault Blocks never saw`);
    }
    const onBlocks = blocks.state.requests.filter(
      (record) =>
        record.method === 'POST' &&
        (request.kind === 'create' ? record.path === '/rest/v1/sessions' : record.path.endsWith('/messages')) &&
        (record.fault === undefined || record.fault === 'timeout-after-arrival') &&
        record.status !== 429 &&
        JSON.stringify(record.body ?? '').includes(request.prompt),
    ).length;
    if (onBlocks > 1) {
      duplicated += onBlocks - 1;
      problems.push(`${what} reached Blocks ${onBlocks} times`);
    }
  }
  return { lost, duplicated, problems };
}
