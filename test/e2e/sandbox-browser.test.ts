/**
 * The sandbox in a real browser: `npm run sandbox` in a child process and Debian's Chromium
 * driven by playwright-core, at 1280×720. A visitor links the Slack and Discord channels to
 * one Fluxra conversation with `/bridge`, posts in Slack and sees the message in the Discord
 * and Fluxra panes, asks `/agent` and sees the answer in the thread, mentions `@bridge`,
 * runs `/block list`, replies in a Discord thread (the Reply control visible without hover),
 * attaches a file, edits and deletes a message, and posts as a Fluxra agent. The agent's
 * status message carries buttons: Follow up opens the form, whose text goes to the agent. The visible text
 * never shows Slack's entities (`&lt;`) or raw mention syntax, and the bridge's reactions are
 * drawn icons, not emoji that the default fonts lack. Then Slack's AI side pane: the toggle
 * opens it in the Slack column, a suggested prompt starts a session whose title and answer
 * show in the pane's thread, and a follow-up is answered there. A screenshot is kept in test-results/.
 *
 * Chromium must be installed (`.ci/run` installs it with apt): without it this test fails.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { type SandboxChild, startSandboxChild } from './sandbox-child.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
export const SCREENSHOT = join(RESULTS, 'sandbox-console.png');
/** Agents answer after a few seconds; the bridge polls Blocks; generous for a loaded CI machine. */
const AGENT_WAIT_MS = 45_000;
const WAIT_MS = 20_000;

let dataDir: string;
let userDataDir: string;
let sandbox: SandboxChild;
let browser: BrowserContext;
let page: Page;
/** Errors thrown by the page's own script: there should be none. */
const pageErrors: string[] = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}: run "apt-get update && apt-get install -y chromium" (.ci/run does this)`);
  dataDir = mkdtempSync(join(tmpdir(), 'sandbox-browser-'));
  userDataDir = mkdtempSync(join(tmpdir(), 'sandbox-chromium-'));
  sandbox = await startSandboxChild(dataDir);
  // A fresh profile (playwright passes it as --user-data-dir) and testing.md's flags: without the
  // background-networking ones Chromium keeps trying hosts this machine cannot reach.
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 720 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (error) => pageErrors.push(String(error.stack ?? error)));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

after(async () => {
  // `before` may have failed part-way (no Chromium): clean up only what it made.
  await browser?.close();
  const started = sandbox as SandboxChild | undefined;
  const code = await started?.stop();
  for (const dir of [dataDir, userDataDir] as Array<string | undefined>) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  if (started !== undefined) assert.equal(code, 0, `the sandbox stops cleanly on SIGTERM:\n${started.output()}`);
});

const pane = (name: 'slack' | 'discord' | 'fluxra'): Locator => page.locator(`[data-pane="${name}"]`);

/** Types into a pane's composer and sends with Enter, as a person does. */
async function type(name: 'slack' | 'discord' | 'fluxra', text: string): Promise<void> {
  const input = pane(name).locator('.composer textarea');
  await input.fill(text);
  await input.press('Enter');
  await assertNoError(name);
}

async function assertNoError(name: 'slack' | 'discord' | 'fluxra'): Promise<void> {
  // The composer clears once the sandbox accepted the action; a refusal shows under it instead.
  // (A string: this runs in the page, whose DOM types this Node project does not load.)
  await page.waitForFunction(`(() => {
    const root = document.querySelector('[data-pane="${name}"]');
    return root.querySelector('.composer textarea').value === '' || root.querySelector('.composer .error').textContent !== '';
  })()`);
  assert.equal(await pane(name).locator('.composer .error').textContent(), '', `${name} refused the action`);
}

/** The answer only the visitor sees to the command they typed (waits for it to arrive). */
async function ephemeralAnswer(name: 'slack' | 'discord', typed: string, timeout = WAIT_MS, run = false): Promise<string> {
  if (run) await type(name, typed);
  const entry = pane(name)
    .locator('.ephemeral', { has: page.locator('.typed', { hasText: typed }) })
    .last();
  const answer = entry.locator('.answer:not(.pending)').first();
  await answer.waitFor({ timeout });
  return (await answer.textContent()) ?? '';
}

test('links Slack and Discord, mirrors a post, answers /agent in a thread and /block list, in Chromium', async (t) => {
  t.diagnostic(`sandbox ready in ${sandbox.readyMs} ms at ${sandbox.url}`);
  try {
    await visitorJourney();
  } catch (error) {
    // What the page showed and what the bridge logged, to read the failure by.
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'sandbox-console-failure.png') }).catch(() => undefined);
    t.diagnostic(`page errors: ${pageErrors.join('\n') || 'none'}; connection: ${await page.locator('#conn').textContent()}`);
    t.diagnostic(`console view:\n${JSON.stringify(await sandbox.view(), null, 1).slice(-8000)}`);
    t.diagnostic(`bridge log tail:\n${readFileSync(join(dataDir, 'bridge.log'), 'utf8').slice(-6000)}`);
    throw error;
  }
  assert.deepEqual(pageErrors, [], 'the page ran without errors');
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  t.diagnostic(`screenshot: ${SCREENSHOT}`);
});

async function visitorJourney(): Promise<void> {
  await page.goto(sandbox.url);
  await page.locator('#conn', { hasText: 'live' }).waitFor();
  await page.locator('#hints', { hasText: '/bridge link new' }).waitFor();

  // Link: a new conversation from Slack, then Discord to the same one.
  await type('slack', '/bridge link new sandbox');
  const created = await ephemeralAnswer('slack', '/bridge link new sandbox');
  const conversationId = /conv_[0-9a-f-]+/.exec(created)?.[0];
  assert.ok(conversationId, `the answer names the new conversation: ${created}`);
  await type('discord', `/bridge link ${conversationId}`);
  const linked = await ephemeralAnswer('discord', `/bridge link ${conversationId}`);
  assert.match(linked, /^Linked\./);
  await pane('slack').locator('.pill', { hasText: 'linked' }).waitFor();
  await pane('discord').locator('.pill', { hasText: 'linked' }).waitFor();
  await pane('fluxra').locator('.channel', { hasText: 'sandbox' }).waitFor();
  // The Fluxra pane's header and body agree: a conversation is linked.
  assert.match((await pane('fluxra').locator('.link-state').textContent()) ?? '', /^\d+ members?$/);
  assert.equal(await pane('fluxra').locator('.empty', { hasText: 'No conversation linked yet' }).count(), 0);

  // A Slack post reaches Discord and Fluxra, attributed to its author.
  await type('slack', 'Hello from the Slack pane');
  await pane('discord').locator('.msg .text', { hasText: 'Hello from the Slack pane' }).waitFor({ timeout: WAIT_MS });
  await pane('fluxra').locator('.msg .text', { hasText: 'Hello from the Slack pane' }).waitFor({ timeout: WAIT_MS });
  assert.match((await pane('fluxra').locator('.msg .text', { hasText: 'Hello from the Slack pane' }).textContent()) ?? '', /^\[Ada · Slack\] /);

  // /agent: acknowledged ephemerally, then the agent's answer arrives in the thread of the bridge's message.
  await type('slack', '/agent explain what the bridge does');
  assert.match(await ephemeralAnswer('slack', '/agent explain what the bridge does'), /Asking/);
  const threadRoot = pane('slack').locator('.msg:not(.reply)', { hasText: 'explain what the bridge does' }).last();
  await threadRoot.locator('.thread .msg.reply .text', { hasText: 'simulated' }).first().waitFor({ timeout: AGENT_WAIT_MS });

  // The status message in the thread carries the agent buttons: Follow up opens the form
  // (Slack's modal), and what is typed there goes to the agent as a follow-up in the thread.
  const statusMessage = threadRoot.locator('.thread .msg.reply', { has: page.locator('.chat-btn', { hasText: 'Follow up' }) }).first();
  await statusMessage.waitFor({ timeout: AGENT_WAIT_MS });
  assert.equal(await statusMessage.locator('a.chat-btn', { hasText: 'Open in Blocks' }).count(), 1);
  await statusMessage.locator('.chat-btn', { hasText: 'Follow up' }).click();
  const form = pane('slack').locator('.chat-form:not([hidden])');
  await form.waitFor({ timeout: WAIT_MS });
  assert.equal(await form.locator('.form-title').textContent(), 'Follow up');
  await form.locator('textarea').fill('and list its commands');
  await form.locator('.form-submit').click();
  // Gone from view once sent (not merely marked hidden), and never shown in the other pane.
  await pane('slack').locator('.chat-form').waitFor({ state: 'hidden', timeout: WAIT_MS });
  assert.equal(await pane('discord').locator('.chat-form').isVisible(), false);
  assert.match(await ephemeralAnswer('slack', 'and list its commands'), /^Sent your follow-up to/);
  await threadRoot.locator('.thread .msg.reply .text', { hasText: 'followed up:' }).waitFor({ timeout: WAIT_MS });
  await threadRoot.locator('.thread .msg.reply .text', { hasText: 'received: “and list its commands”' }).waitFor({ timeout: AGENT_WAIT_MS });

  // /block list answers with the bridge's Fluxra blocks (none yet).
  await type('slack', '/block list');
  const blocks = await ephemeralAnswer('slack', '/block list');
  assert.ok(blocks.length > 0, 'an answer to /block list');
  assert.doesNotMatch(blocks, /error|failed/i);

  // What a person types reads back as typed (Slack encodes <, > and & once; the console decodes
  // them once), and #sandbox, sent as Slack's channel reference, reads as the channel's name.
  await type('slack', 'Notes for <everyone> & co in #sandbox');
  const notes = pane('slack').locator('.msg', { hasText: 'Notes for' }).last().locator('.text');
  await notes.waitFor();
  assert.equal(await notes.textContent(), 'Notes for <everyone> & co in #sandbox');
  assert.equal(await notes.locator('.mention').textContent(), '#sandbox');
  await pane('discord').locator('.msg .text', { hasText: 'Notes for <everyone> & co in' }).waitFor({ timeout: WAIT_MS });

  // Slack text is decoded once: what /bridge help and status say reads as typed, names as names.
  const help = await ephemeralAnswer('slack', '/bridge help', WAIT_MS, true);
  assert.match(help, /\/bridge link agent <name>/);
  const status = await ephemeralAnswer('slack', '/bridge status', WAIT_MS, true);
  assert.match(status, /by @Ada\)/);
  assert.match(status, /Also linked: a Discord channel/);

  // A mention of the bot, typed as @bridge, starts an agent session like /agent.
  await type('slack', '@bridge say hello from the browser');
  const mentionRoot = pane('slack').locator('.msg:not(.reply)', { hasText: 'say hello from the browser' }).last();
  assert.equal(await mentionRoot.locator('.mention').first().textContent(), '@fluxra-bridge');
  await mentionRoot.locator('.thread .msg.reply .text', { hasText: 'simulated' }).first().waitFor({ timeout: AGENT_WAIT_MS });
  // The bridge's reactions are drawn (the default fonts have no 👀, ⏳, ✅).
  await mentionRoot.locator('.reaction svg').first().waitFor({ timeout: WAIT_MS });

  // A reply in a Discord thread reaches the Slack thread of the same message. The Reply
  // control is there without hovering (no hover on touch screens).
  const discordRoot = pane('discord').locator('.msg:not(.reply)', { hasText: 'Hello from the Slack pane' }).first();
  await page.mouse.move(0, 0);
  assert.ok(await discordRoot.locator('.reply-btn').first().isVisible(), 'Reply is visible without hovering');
  await discordRoot.locator('.reply-btn').first().click();
  await pane('discord').locator('.thread-target:not([hidden])').waitFor();
  await type('discord', 'A reply in the Discord thread');
  const slackRoot = pane('slack').locator('.msg:not(.reply)', { hasText: 'Hello from the Slack pane' }).first();
  await slackRoot.locator('.thread .msg.reply .text', { hasText: 'A reply in the Discord thread' }).waitFor({ timeout: WAIT_MS });

  // An attachment: the file goes with a Discord message and arrives in Slack as a link.
  await pane('discord').locator('.attach-btn').click();
  await type('discord', 'With a file attached');
  await pane('discord').locator('.msg', { hasText: 'With a file attached' }).locator('.file a', { hasText: 'sandbox-notes.txt' }).waitFor({ timeout: WAIT_MS });
  await pane('slack').locator('.msg .text', { hasText: 'With a file attached' }).locator('a', { hasText: 'sandbox-notes.txt' }).waitFor({ timeout: WAIT_MS });

  // Edit and delete, as the visitor does them: the copies follow.
  await type('slack', 'Tpyo to fix');
  await pane('discord').locator('.msg .text', { hasText: 'Tpyo to fix' }).waitFor({ timeout: WAIT_MS });
  await pane('slack').locator('.msg', { hasText: 'Tpyo to fix' }).locator('.edit-btn').click();
  assert.equal(await pane('slack').locator('.composer textarea').inputValue(), 'Tpyo to fix');
  await type('slack', 'Typo fixed');
  await pane('discord').locator('.msg .text', { hasText: 'Typo fixed' }).waitFor({ timeout: WAIT_MS });
  await pane('fluxra').locator('.msg .text', { hasText: 'Typo fixed' }).waitFor({ timeout: WAIT_MS });
  await pane('slack').locator('.msg', { hasText: 'Typo fixed' }).locator('.delete-btn').click();
  await pane('discord').locator('.msg .text', { hasText: 'Typo fixed' }).waitFor({ state: 'detached', timeout: WAIT_MS });
  await pane('fluxra').locator('.msg .text', { hasText: 'Typo fixed' }).waitFor({ state: 'detached', timeout: WAIT_MS });

  // A Fluxra agent's post reaches both channels under the agent's name.
  await type('fluxra', 'Posted by an agent in Fluxra');
  await pane('slack').locator('.msg.relayed', { hasText: 'research-agent' }).locator('.text', { hasText: 'Posted by an agent in Fluxra' }).waitFor({ timeout: WAIT_MS });
  await pane('discord').locator('.msg .text', { hasText: 'Posted by an agent in Fluxra' }).waitFor({ timeout: WAIT_MS });

  // The rate budget shows the Blocks requests made for /agent.
  assert.match((await page.locator('#budget').textContent()) ?? '', /\d+\/100 in 60 s/);

  // What the page shows: no entity shown literally, no raw mention syntax, no emoji the fonts lack.
  const visible = await page.locator('body').innerText();
  assert.doesNotMatch(visible, /&lt;|&gt;|&amp;/);
  assert.doesNotMatch(visible, /[👀⏳✅❌👁⧗]/u);
  // Mentions in each platform's own syntax read as names. (A copy mirrored from the other
  // platform carries that platform's syntax as the mirror wrote it: the mirror's business.)
  const ownSyntax = [
    (await pane('slack').locator('.msg.person, .msg.bridge, .ephemeral').allInnerTexts()).join('\n'),
    (await pane('discord').locator('.msg.person, .msg.bridge, .ephemeral').allInnerTexts()).join('\n'),
  ];
  for (const text of ownSyntax) assert.doesNotMatch(text, /<[@#]!?[A-Z0-9]+>/);
  // Every shown composer's placeholder fits its box at 1280×720 (the closed side pane's is checked once it is open).
  const overflowing = await page.evaluate(`[...document.querySelectorAll('.composer textarea')].filter((area) => area.offsetParent !== null).filter((area) => {
    const style = getComputedStyle(area);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    const room = area.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return context.measureText(area.placeholder).width > room;
  }).map((area) => area.placeholder)`);
  assert.deepEqual(overflowing, [], 'placeholders cut off');

  await sidePaneJourney();
}

/** Slack's AI side pane, as a person uses it: open, pick a suggested prompt, read, follow up. */
async function sidePaneJourney(): Promise<void> {
  const side = page.locator('[data-pane="side-pane"]');
  assert.equal(await side.isVisible(), false, 'the side pane is closed until toggled');
  await pane('slack').locator('.open-side-pane').click();
  await side.waitFor();
  assert.equal(await pane('slack').isVisible(), false, 'it takes the Slack column, as Slack splits its window');
  await side.locator('.new-chat').click();
  const prompt = side.locator('.prompt-btn').first();
  await prompt.waitFor({ timeout: WAIT_MS });
  const message = (await prompt.getAttribute('data-message')) ?? '';
  assert.ok(message.length > 0, 'a suggested prompt carries its message');
  await prompt.click();
  await side.locator('.msg.person .text', { hasText: message.slice(0, 24) }).waitFor({ timeout: WAIT_MS });
  await side.locator('.msg.bridge .text', { hasText: 'simulated' }).first().waitFor({ timeout: AGENT_WAIT_MS });
  // Titled from the first prompt, in the header and the list of chats; the prompts are gone once the chat began.
  const title = (await side.locator('.side-title').textContent()) ?? '';
  assert.ok(message.startsWith(title.replace(/…$/, '')), `title "${title}" from "${message}"`);
  assert.equal(await side.locator('.prompt-btn').count(), 0);

  const input = side.locator('textarea');
  await input.fill('and say it in one line');
  await input.press('Enter');
  await page.waitForFunction(`document.querySelector('[data-pane="side-pane"] textarea').value === ''`);
  assert.equal(await side.locator('.composer .error').textContent(), '');
  const followUp = side.locator('.msg.person', { hasText: 'and say it in one line' });
  await followUp.waitFor({ timeout: WAIT_MS });
  await side.locator('.msg.person:has-text("and say it in one line") ~ .msg.bridge .text', { hasText: 'simulated' }).first().waitFor({ timeout: AGENT_WAIT_MS });
  // The pane's chat is the person's own: the channel shows nothing of it.
  assert.equal(await pane('slack').locator('.msg .text', { hasText: 'and say it in one line' }).count(), 0);
  const placeholderFits = await page.evaluate(`(() => {
    const area = document.querySelector('[data-pane="side-pane"] textarea');
    const style = getComputedStyle(area);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    return context.measureText(area.placeholder).width <= area.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  })()`);
  assert.equal(placeholderFits, true, 'the side pane placeholder fits');

  // Back to the channel and again to the pane (left open for the screenshot).
  await side.locator('.back-to-channel').click();
  await pane('slack').waitFor();
  await pane('slack').locator('.open-side-pane').click();
  await side.waitFor();
}
