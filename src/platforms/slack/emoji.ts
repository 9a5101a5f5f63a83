/**
 * Unicode emoji (what engines use) → Slack reaction names. Engines use a handful of status
 * emoji; the rest are common ones people might configure.
 */
import { BridgeError } from '../../core/errors.js';

const SLACK_EMOJI_NAMES: Readonly<Record<string, string>> = {
  '✅': 'white_check_mark',
  '✔': 'heavy_check_mark',
  '☑': 'ballot_box_with_check',
  '👀': 'eyes',
  '⏳': 'hourglass_flowing_sand',
  '⌛': 'hourglass',
  '❌': 'x',
  '❎': 'negative_squared_cross_mark',
  '⚠': 'warning',
  '❗': 'exclamation',
  '❓': 'question',
  '🚫': 'no_entry_sign',
  '🔄': 'arrows_counterclockwise',
  '🔁': 'repeat',
  '👍': '+1',
  '👎': '-1',
  '🎉': 'tada',
  '🤖': 'robot_face',
  '🧠': 'brain',
  '💬': 'speech_balloon',
  '📝': 'memo',
  '🔥': 'fire',
  '🙏': 'pray',
  '👋': 'wave',
  '❤': 'heart',
  '🚀': 'rocket',
  '🐛': 'bug',
  '💡': 'bulb',
};

/** Error code for an emoji we cannot name on Slack. */
export const UNKNOWN_EMOJI = 'SLACK_UNKNOWN_EMOJI';

/**
 * Returns the Slack name for a Unicode emoji, or passes a Slack name (`eyes`, `:eyes:`)
 * through. Throws a `BridgeError` with code `SLACK_UNKNOWN_EMOJI` for anything else.
 */
export function slackEmojiName(emoji: string): string {
  // The variation selector (U+FE0F) is optional in how ✔️ ⚠️ ❤️ are typed.
  const bare = emoji.replace(/\uFE0F/g, '').trim();
  const known = SLACK_EMOJI_NAMES[bare];
  if (known) return known;
  const named = /^:?([a-z0-9_+'-]+):?$/.exec(bare);
  if (named?.[1]) return named[1];
  throw new BridgeError(UNKNOWN_EMOJI, `No Slack reaction name is known for the emoji ${JSON.stringify(emoji)}`);
}
