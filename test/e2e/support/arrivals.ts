/**
 * When each token first reached each side, on this process's clock (the same clock the
 * driver stamps `sentAt` with): Slack when the fake recorded the `chat.postMessage` call,
 * Discord when the fake announced the message on its gateway, Fluxra the message's
 * `createdAt` (the fake stamps it with `Date.now()` when the send is handled).
 * For latency figures in the benchmark; the tests assert on counts, never on these.
 */
import type { Side } from './mirror-driver.js';
import type { MirrorWorld } from './mirror-world.js';

const TOKEN = /\bmx[sdf]\d{5}\b/;

export interface Arrivals {
  /** Epoch ms of the first arrival of `token` on `side`, if any. */
  at(token: string, side: Side): number | undefined;
  close(): void;
}

export function recordArrivals(world: MirrorWorld): Arrivals {
  const seen = new Map<string, number>();
  const note = (token: string | undefined, side: Side, at: number): void => {
    if (token === undefined) return;
    const key = `${token}@${side}`;
    if (!seen.has(key)) seen.set(key, at);
  };

  let callsSeen = 0;
  const onSlackChange = (): void => {
    const calls = world.slack.state.calls;
    const now = Date.now();
    for (; callsSeen < calls.length; callsSeen += 1) {
      const call = calls[callsSeen];
      if (call?.method !== 'chat.postMessage') continue;
      note(String(call.args['text'] ?? '').match(TOKEN)?.[0], 'slack', now);
    }
  };
  world.slack.state.on('change', onSlackChange);

  // The fake's state announces through this hook; wrap it to watch the gateway stream.
  const state = world.discord.state;
  const dispatch = state.dispatch;
  state.dispatch = (event, data) => {
    if (event === 'MESSAGE_CREATE') {
      const message = data as { content?: string; webhook_id?: string; author?: { bot?: boolean } };
      if (message.webhook_id !== undefined || message.author?.bot === true) note(message.content?.match(TOKEN)?.[0], 'discord', Date.now());
    }
    dispatch(event, data);
  };

  const fluxraIndex = new Map<string, number>();
  let fluxraIndexSize = -1;

  return {
    at(token, side) {
      if (side === 'fluxra') {
        // Indexed once per change in size: the benchmark asks for thousands of tokens at the end.
        if (fluxraIndexSize !== world.fluxra.state.messages.size) {
          fluxraIndex.clear();
          for (const message of world.fluxra.state.messages.values()) {
            const found = message.senderId === world.bridgeAgent.agentId ? message.content.match(TOKEN)?.[0] : undefined;
            if (found !== undefined && !fluxraIndex.has(found)) fluxraIndex.set(found, Date.parse(message.createdAt));
          }
          fluxraIndexSize = world.fluxra.state.messages.size;
        }
        return fluxraIndex.get(token);
      }
      return seen.get(`${token}@${side}`);
    },
    close() {
      world.slack.state.off('change', onSlackChange);
      state.dispatch = dispatch;
    },
  };
}
