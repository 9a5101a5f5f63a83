/**
 * What the status buttons do when pressed. Each press and each form submission is checked
 * like the command it stands for, from the store as it is now (the button's reference is
 * only a hint): the session must exist, belong to the channel and place it was pressed in,
 * and be neither ended nor replaced nor unlinked (button-rules.ts); quotas apply when the
 * form asks for a turn. A refusal is answered privately and nothing else happens.
 *
 * - Follow up → a form; its text becomes a follow-up exactly as a reply in the thread would
 *   (it interrupts a running turn; in a bound channel it joins the channel's queue). The text
 *   is shown in the thread under the person's name, and that message is what gets ✅/❌.
 * - New session → in a bound channel, what `/agent new` does; in a session's own thread, a
 *   form for the prompt of a fresh session of the same agent in the same thread.
 *
 * A replayed press or submission (same interaction id) is recognised and does nothing. The
 * decisions are in click-rules.ts, the shared checks in click-checks.ts, what a submitted
 * form does in form-submissions.ts.
 */
import type { ButtonPress, ChatAdapter, FormSubmission } from '../../core/chat.js';
import { describeError } from '../../core/errors.js';
import type { ChannelSessions } from '../bound-channels/bound-channels.js';
import type { EngineContext } from '../context.js';
import type { SessionRequest } from '../types.js';
import { createClickChecks } from './click-checks.js';
import { followUpForm, newSessionForm, pressOutcome, replayKey } from './click-rules.js';
import { createFormSubmissions } from './form-submissions.js';
import { isStatusAction, parseSessionReference } from './status-buttons.js';

export interface StatusClicksDeps {
  ctx: EngineContext;
  enqueue(request: SessionRequest): Promise<void>;
  channels: Pick<ChannelSessions, 'accept' | 'startNew'>;
}

export interface StatusClicks {
  /** Answers a press or a submission; never rejects (a failed answer is logged). */
  handle(event: ButtonPress | FormSubmission, adapter: ChatAdapter): Promise<void>;
}

/** How long a handled interaction id is remembered (Slack and Discord tokens live 15–30 min). */
const REPLAY_TTL_MS = 60 * 60_000;

export function createStatusClicks(deps: StatusClicksDeps): StatusClicks {
  const { ctx } = deps;
  const logger = ctx.logger.child({ part: 'status-buttons' });
  const checks = createClickChecks(ctx, logger);
  const forms = createFormSubmissions({ ctx, logger, checks, enqueue: deps.enqueue, channels: deps.channels });

  async function press(event: ButtonPress, adapter: ChatAdapter): Promise<void> {
    if (!isStatusAction(event.action)) return checks.answer(event, adapter, 'This button is not one of the bridge’s; nothing was done.');
    const judged = await checks.judge(event, parseSessionReference(event.value));
    if ('refusal' in judged) return checks.answer(event, adapter, judged.refusal);
    const { session } = judged;
    const outcome = pressOutcome(event.action, session);
    if (outcome === 'start-new-in-channel') {
      await deps.channels.startNew(session.channel);
      logger.info({ sessionRecordId: session.id, userId: event.user.id }, 'new session asked with a button in a bound channel');
      return checks.answer(event, adapter, `The next message here starts a new ${session.agentLabel} session, with a clean context.`);
    }
    if (!adapter.openForm) return checks.answer(event, adapter, 'This chat cannot open a form here; reply in the thread instead.');
    const form = outcome === 'follow-up-form' ? followUpForm(session, event.message.threadRootId) : newSessionForm(session);
    await adapter.openForm(event, form);
  }

  return {
    async handle(event, adapter) {
      try {
        // Marked before anything is done: Slack and Discord do not retry interactions, and a replay must not act twice.
        if (await ctx.store.dedupe.seen(replayKey(event), REPLAY_TTL_MS)) {
          logger.info({ eventId: event.eventId, kind: event.kind }, 'status button replayed; nothing done again');
          return;
        }
        if (event.kind === 'button') await press(event, adapter);
        else await forms.submit(event, adapter);
      } catch (error) {
        logger.error({ eventId: event.eventId, err: describeError(error) }, 'status button failed');
        await checks.answer(event, adapter, "Something went wrong; the details are in the bridge's log.");
      }
    },
  };
}
