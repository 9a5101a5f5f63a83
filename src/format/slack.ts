/**
 * Conversion between Slack mrkdwn and the neutral markdown of `src/core/chat.ts`
 * (CommonMark + GFM strikethrough, mention tokens as in `mentions.ts`).
 *
 * | Slack mrkdwn              | neutral markdown        |
 * |---------------------------|-------------------------|
 * | `*bold*`                  | `**bold**`              |
 * | `_italic_`                | `*italic*`              |
 * | `~strike~`                | `~~strike~~`            |
 * | `<https://x\|label>`      | `[label](https://x)`    |
 * | `<@U1>`, `<#C1\|g>`       | `<@slack:U1\|Alice>`, `<#slack:C1\|g>` (mentions.ts) |
 * | `<!subteam^S1\|@devs>`    | `<@&slack:S1\|devs>`    |
 * | `<!here>` (inbound)       | `@here` (plain text)    |
 * | `&amp; &lt; &gt;`         | `& < >`                 |
 *
 * Outbound, mass mentions are made inert so the bridge can never ping a channel.
 */
export { slackToMarkdown } from './slack-inbound.js';
export { markdownToSlack } from './slack-outbound.js';
