/**
 * Every text the session engine writes into a thread, in one place. Pure functions: the
 * same inputs give the same text, which `postOnce` relies on to find a post again after a
 * crash (it compares texts).
 */
import { RateLimitedError, UpstreamError, UserInputError } from '../core/errors.js';
import { BlocksApiError, BlocksErrorCode } from '../services/blocks/errors.js';
import type { BlocksPullRequest } from '../services/blocks/types.js';

/** Longest echo of a prompt in the root message of a slash command. */
export const PROMPT_ECHO_MAX = 300;

function shorten(text: string, max: number): string {
  const chars = Array.from(text.trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max).join('')}…`;
}

function link(url: string | undefined): string {
  return url ? ` ${url}` : '';
}

/** The root of a thread started by a slash command (it has no message of its own). */
export function rootText(askerName: string, agentLabel: string, prompt: string): string {
  const quoted = shorten(prompt, PROMPT_ECHO_MAX).replace(/\n/g, '\n> ');
  return `${askerName} asked ${agentLabel}:\n> ${quoted}`;
}

/** What a Follow up button's text looks like in the thread (the agent gets it whole). */
export function followUpEchoText(askerName: string, text: string): string {
  const quoted = shorten(text, PROMPT_ECHO_MAX).replace(/\n/g, '\n> ');
  return `${askerName} followed up:\n> ${quoted}`;
}

export function workingText(agentLabel: string, sessionUrl: string | undefined, followUp: boolean): string {
  return `${agentLabel} is working${followUp ? ' on the follow-up' : ''}…${link(sessionUrl)}`;
}

export function doneText(agentLabel: string, sessionUrl: string | undefined): string {
  return `${agentLabel}: done.${link(sessionUrl)}`;
}

export function failedText(agentLabel: string, reason: string, sessionUrl: string | undefined): string {
  return `${agentLabel}: failed. ${reason}${link(sessionUrl)}`;
}

export function timedOutText(agentLabel: string, minutes: number, sessionUrl: string | undefined): string {
  return `${agentLabel}: timed out after ${minutes} min without an answer; the session may still be running on Blocks.${link(sessionUrl)}`;
}

export function interruptedStatusText(agentLabel: string, sessionUrl: string | undefined): string {
  return `${agentLabel}: interrupted by a follow-up.${link(sessionUrl)}`;
}

export function interruptedNoticeText(agentLabel: string): string {
  return `Sent your follow-up to ${agentLabel}; the earlier turn was still running and has been interrupted.`;
}

export function queuedText(waitMs: number): string {
  return `Queued behind the Blocks rate limit, about ${Math.max(1, Math.ceil(waitMs / 1000))} s.`;
}

export function mayHaveStartedText(): string {
  return 'Blocks returned an error; the session may or may not have started. Check Blocks before asking again.';
}

export function followUpMayHaveArrivedText(sessionUrl: string | undefined): string {
  return `Blocks returned an error; your follow-up may or may not have reached the agent.${link(sessionUrl)}`;
}

export function noSessionText(command: string): string {
  return `This thread's agent session did not start, so there is nothing to follow up. Start one with /${command}.`;
}

export const KEY_REFUSED_TEXT = "The bridge's Blocks key is not accepted: tell an admin.";
export const SESSION_GONE_TEXT = 'This session no longer exists on Blocks.';

/**
 * What a person is told when a Blocks call failed; `undefined` for a 429 (the request is
 * queued, not failed) so that the caller retries instead.
 */
export function blocksErrorText(error: unknown, during: 'create' | 'follow-up' | 'poll'): string | undefined {
  if (error instanceof RateLimitedError) return undefined;
  if (error instanceof UserInputError) return error.message;
  if (error instanceof BlocksApiError) {
    switch (error.code) {
      case BlocksErrorCode.Auth:
        return KEY_REFUSED_TEXT;
      case BlocksErrorCode.Validation:
        return `Blocks refused the request: ${shorten(error.reason ?? `HTTP ${error.status}`, 300)}`;
      case BlocksErrorCode.NotFound:
        return during === 'create' ? 'Blocks found nothing to answer (404).' : SESSION_GONE_TEXT;
      default:
        break;
    }
  }
  if (error instanceof UpstreamError && error.service === 'blocks') {
    if (during === 'create') return mayHaveStartedText();
    return `Blocks returned an error (${error.status === 0 ? error.code : `HTTP ${error.status}`}); try again in a minute.`;
  }
  return "Something went wrong; the details are in the bridge's log.";
}

/** PRs as a list of links (anything that is not a URL as plain text). */
export function pullRequestLines(pullRequests: readonly BlocksPullRequest[]): string[] {
  if (pullRequests.length === 0) return [];
  const lines = pullRequests.map((pr) => {
    const status = pr.status ? ` (${pr.status})` : '';
    if (!pr.url) return `• ${shorten(pr.label, 120)}${status}`;
    return pr.label === pr.url ? `• ${pr.url}${status}` : `• [${shorten(pr.label, 120).replace(/[[\]]/g, '')}](${pr.url})${status}`;
  });
  return [`Pull request${pullRequests.length === 1 ? '' : 's'}:`, ...lines];
}

/**
 * The agent's answer as posted: the text (cut past `maxChars`, saying so and linking the
 * session), then the PRs. An empty answer is still an answer (spec §10.4).
 */
export function replyText(input: { answer: string; pullRequests: readonly BlocksPullRequest[]; sessionUrl?: string; maxChars: number; agentLabel: string }): string {
  const answer = input.answer.trim() === '' ? `_${input.agentLabel} finished without a message._` : input.answer;
  let body = answer;
  if (answer.length > input.maxChars) {
    body = `${cutOutsideFence(answer, input.maxChars)}\n\n_(cut: the full answer is ${answer.length} characters; read it in the session${link(input.sessionUrl)})_`;
  }
  const prs = pullRequestLines(input.pullRequests);
  return prs.length === 0 ? body : `${body}\n\n${prs.join('\n')}`;
}

/** The first `max` characters, closing a fenced code block left open by the cut. */
function cutOutsideFence(text: string, max: number): string {
  let cut = text.slice(0, max);
  const lastNewline = cut.lastIndexOf('\n');
  if (lastNewline > max * 0.8) cut = cut.slice(0, lastNewline);
  const fences = cut.split('\n').filter((line) => /^ {0,3}(`{3,}|~{3,})/.test(line));
  if (fences.length % 2 === 1) {
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(fences.at(-1) ?? '')?.[1] ?? '```';
    cut = `${cut.trimEnd()}\n${fence}`;
  }
  return `${cut.trimEnd()}\n…`;
}
