// Slack's AI side pane in the console (the fourth view, a toggle in the Slack column, as
// Slack splits its window for it): the visitor's pane chats, the
// suggested prompts the bridge offered, the thread with its title and "is thinking…"
// status, and a composer. Opening a chat and writing go to /api/side-pane as Slack would
// send them (assistant_thread_started, message.im in the pane's thread).

import { esc, format } from './render-text.js';

const $ = (selector, root = document) => root.querySelector(selector);
const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The chat shown: the one the visitor picked, else the newest. */
let selected;
let latest;

const TEMPLATE = `
  <header><h2>Slack AI pane</h2><span class="channel side-title"></span><button type="button" class="new-chat">New chat</button><button type="button" class="pane-toggle back-to-channel" title="Back to the Slack channel">#sandbox</button></header>
  <div class="side-chats"><label>Chat <select class="chat-select" aria-label="Pane chats"></select></label></div>
  <div class="timeline" role="log"></div>
  <div class="side-status" role="status"></div>
  <div class="side-prompts"></div>
  <form class="composer">
    <textarea rows="2" placeholder="Ask an agent (a first word picks one)"></textarea>
    <div class="row"><span class="as"></span><span class="composer-hint">each chat is one private session</span><button type="submit">Send</button></div>
    <div class="error" role="alert"></div>
  </form>`;

async function call(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.json();
}

function current() {
  const threads = latest?.threads ?? [];
  return threads.find((thread) => thread.threadTs === selected) ?? threads[0];
}

async function act(el, path, body) {
  const error = $('.error', el);
  error.textContent = '';
  try {
    const result = await call(path, body);
    if (!result.ok) error.textContent = result.error;
    return result.ok;
  } catch (failure) {
    error.textContent = `Could not reach the sandbox: ${failure.message}`;
    return false;
  }
}

async function send(el, text) {
  const thread = current();
  const button = $('button[type="submit"]', el);
  button.disabled = true;
  try {
    if (await act(el, '/api/side-pane', { text, ...(thread ? { thread: thread.threadTs } : {}) })) $('textarea', el).value = '';
  } finally {
    button.disabled = false;
  }
}

export function buildSidePane(container) {
  const el = document.createElement('section');
  el.className = 'pane side-pane';
  el.dataset.pane = 'side-pane';
  el.setAttribute('aria-label', 'Slack AI side pane');
  el.innerHTML = TEMPLATE;
  container.append(el);
  // The toggle: Slack's channel or its AI pane in the Slack column.
  const show = (open) => container.classList.toggle('side-open', open);
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'pane-toggle open-side-pane';
  toggle.title = "Slack's AI side pane: ask an agent in a private chat";
  toggle.textContent = 'AI pane';
  $('[data-pane="slack"] > header', container)?.append(toggle);
  toggle.addEventListener('click', () => show(true));
  $('.back-to-channel', el).addEventListener('click', () => show(false));
  $('.new-chat', el).addEventListener('click', async () => {
    selected = undefined;
    await act(el, '/api/side-pane/open', {});
  });
  $('.chat-select', el).addEventListener('change', (event) => {
    selected = event.target.value;
    renderSidePane(latest);
  });
  $('.side-prompts', el).addEventListener('click', (event) => {
    const button = event.target.closest('.prompt-btn');
    if (button) void send(el, button.dataset.message);
  });
  $('form', el).addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('textarea', el).value.trim();
    if (text) void send(el, text);
  });
  $('textarea', el).addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      const text = $('textarea', el).value.trim();
      if (text) void send(el, text);
    }
  });
}

function messageHtml(message, names) {
  const badge = message.kind === 'person' ? '' : '<span class="badge bridge">APP</span>';
  return `<article class="msg ${message.kind}" data-id="${esc(message.id)}">
    <div class="meta"><span class="author">${esc(message.author)}</span>${badge}<time>${time(message.at)}</time>${message.edited ? '<span class="edited">(edited)</span>' : ''}</div>
    <div class="text">${format(message.text, 'slack', names)}</div></article>`;
}

export function renderSidePane(view, names) {
  latest = view;
  const el = $('[data-pane="side-pane"]');
  if (!el || !view) return;
  const thread = current();
  $('.as', el).textContent = `as ${view.person}`;
  $('.side-title', el).textContent = thread ? (thread.title ?? 'New chat') : 'no chat yet';
  const select = $('.chat-select', el);
  select.innerHTML = view.threads.map((chat) => `<option value="${esc(chat.threadTs)}">${esc(chat.title ?? `New chat, ${time(chat.openedAt)}`)}</option>`).join('');
  if (thread) select.value = thread.threadTs;
  const timeline = $('.timeline', el);
  timeline.innerHTML = !thread
    ? '<p class="empty">Open the pane: press New chat (or just write below).</p>'
    : thread.messages.length
      ? thread.messages.map((message) => messageHtml(message, names ?? undefined)).join('')
      : '<p class="empty">Pick a suggested prompt or write your own.</p>';
  timeline.scrollTop = timeline.scrollHeight;
  $('.side-status', el).textContent = thread?.status ? `fluxra-bridge ${thread.status}` : '';
  // As in Slack, the suggested prompts stand above the composer until the chat has begun.
  const prompts = thread && thread.messages.length === 0 ? thread.prompts : [];
  $('.side-prompts', el).innerHTML = prompts.length
    ? `<div class="prompts-title">${esc(thread.promptsTitle ?? 'Suggested prompts')}</div>${prompts
        .map((prompt) => `<button type="button" class="prompt-btn" data-message="${esc(prompt.message)}" title="${esc(prompt.message)}">${esc(prompt.title)}</button>`)
        .join('')}`
    : '';
}
