// The sandbox console: renders the view the server streams over SSE and posts what the
// visitor types. Plain DOM, no framework: the page is three lists and three forms, and
// Slack's AI side pane (side-pane.js).

import { esc, format, link, NO_NAMES, PAPERCLIP, reactionHtml } from './render-text.js';
import { buildSidePane, renderSidePane } from './side-pane.js';

// What differs between the panes; the rest is the page's <template id="pane-template">.
// `@bridge` in a person's message becomes the platform's mention of the bot (as picking it in
// Slack's or Discord's composer does), so the hint says so.
const paneSpecs = {
  slack: {
    title: 'Slack',
    label: 'Slack channel',
    placeholder: 'Message #sandbox, @bridge …, or a /command',
    hint: '@bridge asks an agent',
    threadLabel: 'In thread:',
    threadClear: 'Leave the thread',
    postsAsAgent: false,
  },
  discord: {
    title: 'Discord',
    label: 'Discord channel',
    placeholder: 'Message #sandbox, @bridge …, or a /command',
    hint: '@bridge asks an agent',
    threadLabel: 'In thread:',
    threadClear: 'Leave the thread',
    postsAsAgent: false,
  },
  fluxra: {
    title: 'Fluxra',
    label: 'Fluxra conversation',
    placeholder: 'Post as the agent chosen below',
    hint: '',
    threadLabel: 'Replying to:',
    threadClear: 'Stop replying',
    postsAsAgent: true,
  },
};
const panes = Object.keys(paneSpecs);
const threadTarget = { slack: undefined, discord: undefined, fluxra: undefined };
const editTarget = { slack: undefined, discord: undefined, fluxra: undefined };
const attach = { slack: false, discord: false, fluxra: false };
let view;
let firstRender = true;

const $ = (selector, root = document) => root.querySelector(selector);
const paneEl = (pane) => $(`[data-pane="${pane}"]`);

const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const snippet = (text) => (text.length > 60 ? `${text.slice(0, 57)}…` : text);

/** The buttons under a bridge message: links open; actions are pressed as the platform would deliver them. */
function buttonsHtml(message, rootId) {
  if (!message.buttons?.length) return '';
  const thread = rootId ? ` data-thread="${esc(rootId)}"` : '';
  const items = message.buttons.map((button) =>
    button.url
      ? `<a class="chat-btn link" href="${esc(button.url)}" target="_blank" rel="noopener noreferrer">${esc(button.label)} ↗</a>`
      : `<button type="button" class="chat-btn" data-id="${esc(message.id)}" data-action="${esc(button.action)}"${thread}>${esc(button.label)}</button>`,
  );
  return `<div class="chat-buttons">${items.join('')}</div>`;
}

function messageHtml(pane, message, isReply, names, rootId) {
  // As the platforms label them: posts by an app (under any name) say APP; Fluxra marks its agents.
  const badge = message.kind === 'person' ? '' : `<span class="badge ${message.kind}">${message.kind === 'agent' ? 'AGENT' : 'APP'}</span>`;
  const reactions = message.reactions.length ? `<div class="reactions">${message.reactions.map(reactionHtml).join('')}</div>` : '';
  const files = message.attachments.length
    ? `<div class="files">${message.attachments.map((file) => `<span class="file">${PAPERCLIP}${link(file.url, file.name)}</span>`).join('')}</div>`
    : '';
  const id = esc(message.id);
  // Always visible (no hover): touch screens have none, and a control that appears on hover is not found.
  const controls = [
    isReply ? '' : `<button type="button" class="msg-btn reply-btn" data-id="${id}">${pane === 'fluxra' ? 'Reply' : 'Reply in thread'}</button>`,
    message.mine
      ? `<button type="button" class="msg-btn edit-btn" data-id="${id}">Edit</button><button type="button" class="msg-btn delete-btn" data-id="${id}">Delete</button>`
      : '',
  ].join('');
  const status = message.threadStatus ? `<div class="thread-status">${esc(message.threadStatus)}</div>` : '';
  const replies =
    isReply || (message.replies.length === 0 && !status)
      ? ''
      : `<div class="thread">${message.replies.map((reply) => messageHtml(pane, reply, true, names, message.id)).join('')}${status}</div>`;
  // Slack's plan of tool steps in a streamed answer, and the stream's cursor while it is open.
  const tasks = message.tasks?.length
    ? `<ul class="plan">${message.tasks.map((task) => `<li class="task ${esc(task.status)}">${task.status === 'complete' ? '✓' : '…'} ${format(task.title, pane, names)}</li>`).join('')}</ul>`
    : '';
  const streaming = message.streaming ? '<span class="edited">(streaming)</span>' : '';
  return `<article class="msg ${message.kind}${isReply ? ' reply' : ''}" data-id="${id}">
    <div class="meta"><span class="author">${esc(message.author)}</span>${badge}<time>${time(message.at)}</time>${message.edited ? '<span class="edited">(edited)</span>' : ''}${streaming}<span class="msg-actions">${controls}</span></div>
    ${tasks}<div class="text">${format(message.text, pane, names)}</div>${buttonsHtml(message, rootId)}${files}${reactions}${replies}</article>`;
}

function commandHtml(pane, entry, names) {
  const answers = entry.error
    ? `<div class="answer error-text">${esc(entry.error)}</div>`
    : entry.answers.length
      ? entry.answers.map((answer) => `<div class="answer">${format(answer, pane, names)}</div>`).join('')
      : '<div class="answer pending">waiting for the answer…</div>';
  const shown = entry.shown !== entry.typed ? `<div class="shown">sent as <code>${esc(entry.shown)}</code></div>` : '';
  return `<article class="ephemeral" data-id="${esc(entry.id)}">
    <div class="meta"><span class="only-you">Only visible to you</span><time>${time(entry.at)}</time>${entry.thread ? '<span class="edited">in a thread</span>' : ''}</div>
    <div class="typed"><code>${esc(entry.typed)}</code></div>${shown}${answers}</article>`;
}

function renderTimeline(pane, messages, commands, names, empty) {
  const timeline = $('.timeline', paneEl(pane));
  const nearBottom = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 60;
  const items = [
    ...messages.map((message) => ({ at: message.at, html: messageHtml(pane, message, false, names) })),
    ...commands.map((entry) => ({ at: entry.at, html: commandHtml(pane, entry, names) })),
  ].sort((a, b) => a.at - b.at);
  timeline.innerHTML = items.length ? items.map((item) => item.html).join('') : `<p class="empty">${esc(empty)}</p>`;
  if (nearBottom || firstRender) timeline.scrollTop = timeline.scrollHeight;
}

function renderHeader(pane, channel, linkState) {
  const el = paneEl(pane);
  $('.channel', el).textContent = channel;
  $('.link-state', el).innerHTML = linkState;
}

function linkState(chat) {
  if (!chat.linkedTo) return '<span class="pill off">not linked</span>';
  return `<span class="pill ${chat.paused ? 'paused' : 'on'}" title="${esc(chat.linkedTo)}">${chat.paused ? 'paused' : 'linked'}</span>`;
}

function renderTop() {
  const short = (id) => (id ? `${id.slice(0, 13)}…` : '');
  const conv = view.fluxra.conversationId;
  $('#links').innerHTML = conv
    ? `<span class="${view.slack.linkedTo ? 'on' : 'off'}">Slack #sandbox</span><span class="arrow">⇄</span><span class="on" title="${esc(conv)}">Fluxra ${esc(short(conv))}</span><span class="arrow">⇄</span><span class="${view.discord.linkedTo ? 'on' : 'off'}">Discord #sandbox</span>`
    : '<span class="off">No links yet</span>';
  const budget = view.budget;
  if (budget) {
    const pct = Math.min(100, Math.round((budget.usedInWindow / budget.limit) * 100));
    const paused = budget.pausedUntil > Date.now() ? ` · <strong>paused</strong>` : '';
    $('#budget').innerHTML =
      `<span class="label">Blocks budget</span><span class="bar"><span style="width:${pct}%"></span></span><span><strong>${budget.usedInWindow}</strong>/${budget.limit} in ${Math.round(budget.windowMs / 1000)} s</span><span>queue ${budget.queued.interactive} people · ${budget.queued.background} polls${paused}</span>`;
  }
  $('#hints').innerHTML = view.hints.length ? `<strong>Try:</strong><ol>${view.hints.map((hint) => `<li>${format(hint, 'hint')}</li>`).join('')}</ol>` : '';
}

/** The form (modal) the bridge opened for the visitor in a chat pane, until it is submitted or cancelled. */
function renderForm(pane, form) {
  const el = $('.chat-form', paneEl(pane));
  if (!el) return;
  el.hidden = !form;
  if (!form || el.dataset.form === form.id) return;
  el.dataset.form = form.id;
  $('.form-title', el).textContent = form.title;
  $('.form-label', el).textContent = form.label;
  $('.form-submit', el).textContent = form.submitLabel;
  $('.form-error', el).textContent = '';
  const input = $('textarea', el);
  input.value = '';
  input.focus();
}

async function formAction(pane, verb) {
  const el = $('.chat-form', paneEl(pane));
  const body = { form: el.dataset.form, ...(verb === 'submit' ? { text: $('textarea', el).value.trim() } : {}) };
  try {
    const result = await call(`/api/${pane}/${verb}`, body);
    if (!result.ok) $('.form-error', el).textContent = result.error;
    else el.hidden = true;
  } catch (failure) {
    $('.form-error', el).textContent = `Could not reach the sandbox: ${failure.message}`;
  }
}

async function press(pane, button) {
  const error = $('.composer .error', paneEl(pane));
  error.textContent = '';
  button.disabled = true;
  try {
    const result = await call(`/api/${pane}/press`, { id: button.dataset.id, action: button.dataset.action, ...(button.dataset.thread ? { thread: button.dataset.thread } : {}) });
    if (!result.ok) error.textContent = result.error;
  } catch (failure) {
    error.textContent = `Could not reach the sandbox: ${failure.message}`;
  } finally {
    button.disabled = false;
  }
}

function render() {
  renderTop();
  renderForm('slack', view.slack.form);
  renderForm('discord', view.discord.form);
  renderHeader('slack', view.slack.channel, linkState(view.slack));
  renderHeader('discord', view.discord.channel, linkState(view.discord));
  const fluxra = view.fluxra;
  const members = `${fluxra.members.length} member${fluxra.members.length === 1 ? '' : 's'}`;
  renderHeader(
    'fluxra',
    fluxra.name ? `${fluxra.name}` : '—',
    fluxra.conversationId ? `<span class="pill on" title="${esc(fluxra.members.join(', '))}">${members}</span>` : '<span class="pill off">no conversation</span>',
  );
  $('[data-pane="slack"] .as').textContent = `as ${view.slack.person}`;
  $('[data-pane="discord"] .as').textContent = `as ${view.discord.person}`;
  const select = $('[data-pane="fluxra"] .agent-select');
  if (select.options.length !== fluxra.agents.length) {
    select.innerHTML = fluxra.agents.map((agent) => `<option value="${esc(agent.agentId)}">${esc(agent.agentName)}</option>`).join('');
  }
  renderTimeline('slack', view.slack.messages, view.slack.commands, view.slack.names, 'No messages yet.');
  renderTimeline('discord', view.discord.messages, view.discord.commands, view.discord.names, 'No messages yet.');
  // The header and the body say the same thing: no conversation, or one without messages yet.
  renderTimeline('fluxra', fluxra.messages, [], NO_NAMES, fluxra.conversationId ? 'No messages in this conversation yet.' : 'No conversation linked yet.');
  renderSidePane(view.sidePane, view.slack.names);
  firstRender = false;
}

function setThread(pane, id, text) {
  threadTarget[pane] = id;
  const target = $('.thread-target', paneEl(pane));
  target.hidden = id === undefined;
  $('.thread-text', target).textContent = text ? `“${snippet(text)}”` : '';
  if (id !== undefined) $('.composer textarea', paneEl(pane)).focus();
}

async function send(pane) {
  const el = paneEl(pane);
  const input = $('.composer textarea', el);
  const error = $('.composer .error', el);
  const text = input.value.trim();
  if (!text) return;
  const button = $('.composer button[type="submit"]', el);
  button.disabled = true;
  error.textContent = '';
  try {
    const editing = editTarget[pane];
    const body = editing
      ? { id: editing, text }
      : { text, thread: threadTarget[pane], ...(attach[pane] ? { attach: true } : {}), ...(pane === 'fluxra' ? { agentId: $('.agent-select', el).value } : {}) };
    const result = await call(editing ? `/api/${pane}/edit` : `/api/${pane}`, body);
    if (!result.ok) error.textContent = result.error;
    else {
      input.value = '';
      if (editing) setEdit(pane, undefined);
      setAttach(pane, false);
    }
  } catch (failure) {
    error.textContent = `Could not reach the sandbox: ${failure.message}`;
  } finally {
    button.disabled = false;
  }
}

async function call(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.json();
}

function findMessage(pane, id) {
  for (const message of view?.[pane]?.messages ?? []) {
    if (message.id === id) return message;
    const reply = message.replies.find((candidate) => candidate.id === id);
    if (reply) return reply;
  }
  return undefined;
}

/** A message's text as its author typed it: mentions back to `@name` and `#channel`, Slack's entities decoded. */
function editableText(pane, text) {
  const names = view?.[pane]?.names ?? NO_NAMES;
  let plain = text
    .replace(/<@!?([A-Z0-9]+|\d+)>/g, (whole, id) => (names.users[id] ? `@${names.users[id]}` : whole))
    .replace(/<#([A-Z0-9]+|\d+)(\|[^>]*)?>/g, (whole, id) => (names.channels[id] ? `#${names.channels[id]}` : whole));
  if (pane === 'slack') plain = plain.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return plain;
}

function setEdit(pane, id) {
  editTarget[pane] = id;
  const el = paneEl(pane);
  $('.edit-target', el).hidden = id === undefined;
  if (id === undefined) return;
  setThread(pane, undefined);
  const input = $('.composer textarea', el);
  input.value = editableText(pane, findMessage(pane, id)?.text ?? '');
  input.focus();
}

function setAttach(pane, on) {
  attach[pane] = on;
  const button = $('.attach-btn', paneEl(pane));
  if (!button) return;
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? 'File attached ×' : 'Attach a file';
}

async function remove(pane, id) {
  const error = $('.composer .error', paneEl(pane));
  error.textContent = '';
  try {
    const result = await call(`/api/${pane}/delete`, { id });
    if (!result.ok) error.textContent = result.error;
  } catch (failure) {
    error.textContent = `Could not reach the sandbox: ${failure.message}`;
  }
}

function buildPane(pane) {
  const spec = paneSpecs[pane];
  const el = $('#pane-template').content.firstElementChild.cloneNode(true);
  el.dataset.pane = pane;
  el.setAttribute('aria-label', spec.label);
  $('h2', el).textContent = spec.title;
  $('.thread-label', el).textContent = spec.threadLabel;
  $('.thread-clear', el).title = spec.threadClear;
  $('.composer textarea', el).placeholder = spec.placeholder;
  $('.composer-hint', el).textContent = spec.hint;
  // People's panes say who you write as and may attach a file; the Fluxra pane lets you pick the agent.
  (spec.postsAsAgent ? $('.as', el) : $('.agent-select', el)).remove();
  if (spec.postsAsAgent) $('.attach-btn', el).remove();
  if (spec.postsAsAgent) $('.chat-form', el).remove();
  $('#panes').append(el);
}

for (const pane of panes) {
  buildPane(pane);
  const el = paneEl(pane);
  $('.composer', el).addEventListener('submit', (event) => {
    event.preventDefault();
    void send(pane);
  });
  $('.composer textarea', el).addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send(pane);
    }
  });
  $('.thread-clear', el).addEventListener('click', () => setThread(pane, undefined));
  $('.edit-clear', el).addEventListener('click', () => {
    setEdit(pane, undefined);
    $('.composer textarea', el).value = '';
  });
  $('.attach-btn', el)?.addEventListener('click', () => setAttach(pane, !attach[pane]));
  const chatForm = $('.chat-form', el);
  chatForm?.addEventListener('submit', (event) => {
    event.preventDefault();
    void formAction(pane, 'submit');
  });
  $('.form-cancel', el)?.addEventListener('click', () => void formAction(pane, 'cancel'));
  $('.timeline', el).addEventListener('click', (event) => {
    const chatButton = event.target.closest('.chat-btn[data-action]');
    if (chatButton) {
      void press(pane, chatButton);
      return;
    }
    const button = event.target.closest('.msg-btn');
    if (!button) return;
    const id = button.dataset.id;
    if (button.classList.contains('reply-btn')) {
      setEdit(pane, undefined);
      setThread(pane, id, editableText(pane, findMessage(pane, id)?.text ?? ''));
    } else if (button.classList.contains('edit-btn')) setEdit(pane, id);
    else if (button.classList.contains('delete-btn')) void remove(pane, id);
  });
}

// The fourth view: Slack's AI side pane, beside the three chats.
buildSidePane($('#panes'));

// A command in a hint fills the composer of the pane the hint names.
$('#hints').addEventListener('click', (event) => {
  const code = event.target.closest('code');
  if (!code) return;
  const item = code.closest('li')?.textContent ?? '';
  const pane = panes.find((name) => item.toLowerCase().includes(`${name} pane`)) ?? 'slack';
  const input = $('.composer textarea', paneEl(pane));
  input.value = code.textContent;
  input.focus();
});

const conn = $('#conn');
const events = new EventSource('/events');
events.addEventListener('view', (event) => {
  view = JSON.parse(event.data);
  conn.textContent = 'live';
  conn.className = 'conn live';
  render();
});
events.addEventListener('error', () => {
  conn.textContent = 'reconnecting…';
  conn.className = 'conn down';
});
