/** The Slack platform adapter: Bolt in Socket Mode or HTTP mode behind the `ChatAdapter` contract. */
export { createSlackAdapter, type SlackAdapter, type SlackAdapterDeps } from './adapter.js';
export { SLACK_DEFAULTS, type SlackAdapterConfig, validateSlackAdapterConfig } from './config.js';
export { slackEmojiName, UNKNOWN_EMOJI } from './emoji.js';
