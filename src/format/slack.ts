/**
 * Conversion between Slack mrkdwn and the neutral markdown of `src/platforms/types.ts`
 * (CommonMark + GFM strikethrough, mentions `<@ID>`, channels `<#ID>`).
 *
 * | Slack mrkdwn              | neutral markdown        |
 * |---------------------------|-------------------------|
 * | `*bold*`                  | `**bold**`              |
 * | `_italic_`                | `*italic*`              |
 * | `~strike~`                | `~~strike~~`            |
 * | `<https://x\|label>`      | `[label](https://x)`    |
 * | `<@U1\|name>`, `<#C1\|g>` | `<@U1>`, `<#C1>`        |
 * | `<!here>` (inbound)       | `@here` (plain text)    |
 * | `&amp; &lt; &gt;`         | `& < >`                 |
 *
 * Outbound, mass mentions are made inert so the bridge can never ping a channel.
 */
export { slackToMarkdown } from './slack-inbound.js';
export { markdownToSlack } from './slack-outbound.js';
