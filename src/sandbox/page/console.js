// The sandbox console: renders the view the server streams over SSE and posts what the
// visitor types. Plain DOM, no framework: the page is three lists and three forms.

// What differs between the panes; the rest is the page's <template id="pane-template">.
const paneSpecs = {
  slack: { title: 'Slack', label: 'Slack channel', placeholder: 'Message #sandbox, or a /command', threadLabel: 'In thread:', threadClear: 'Leave the thread', postsAsAgent: false },
  discord: { title: 'Discord', label: 'Discord channel', placeholder: 'Message #sandbox, or a /command', threadLabel: 'In thread:', threadClear: 'Leave the thread', postsAsAgent: false },
  fluxra: { title: 'Fluxra', label: 'Fluxra conversation', placeholder: 'Post as this agent …', threadLabel: 'Replying to:', threadClear: 'Stop replying', postsAsAgent: true },
};
const panes = Object.keys(paneSpecs);
const threadTarget = { slack: undefined, discord: undefined, fluxra: undefined };
let view;
let firstRender = true;

const $ = (selector, root = document) => root.querySelector(selector);
const paneEl = (pane) => $(`[data-pane="${pane}"]`);

function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// Just enough of Slack mrkdwn and Discord markdown to read messages: code, bold, links, mentions.
function format(text) {
  let html = esc(text);
  html = html.replace(/```([\s\S]*?)```/g, (_m, code) => `<pre>${code.replace(/^\n/, '')}</pre>`);
  html = html.replace(/`([^`\n]+)`/g, '<code>$1</code>');
  html = html.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>');
  html = html.replace(/(^|[\s(])\*([^*\n]+)\*(?=[\s).,!?:;]|$)/g, '$1<strong>$2</strong>');
  html = html.replace(/&lt;(https?:\/\/[^|&\s]+)\|([^&]+?)&gt;/g, '<a href="$1" target="_blank" rel="noreferrer">$2</a>');
  html = html.replace(/&lt;(https?:\/\/[^&\s]+)&gt;/g, '<a href="$1" target="_blank" rel="noreferrer">$1</a>');
  html = html.replace(/&lt;@([A-Z0-9]+|\d+)&gt;/g, '<span class="mention">@$1</span>');
  html = html.replace(/^&gt; ?(.*)$/gm, '<span class="quote">$1</span>');
  return html;
}

// The bridge's reactions (Slack names them, Discord sends the characters), as symbols that
// render without a colour-emoji font.
const EMOJI = { white_check_mark: '✔', '✅': '✔', eyes: '👁', '👀': '👁', hourglass_flowing_sand: '⧗', '⏳': '⧗', x: '✘', '❌': '✘' };

const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const snippet = (text) => (text.length > 60 ? `${text.slice(0, 57)}…` : text);

function messageHtml(pane, message, isReply) {
  // As the platforms label them: posts by an app (under any name) say APP; Fluxra marks its agents.
  const badge = message.kind === 'person' ? '' : `<span class="badge ${message.kind}">${message.kind === 'agent' ? 'AGENT' : 'APP'}</span>`;
  const reactions = message.reactions.length ? `<div class="reactions">${message.reactions.map((r) => `<span title="${esc(r)}">${esc(EMOJI[r] ?? r)}</span>`).join('')}</div>` : '';
  const replyLabel = pane === 'fluxra' ? 'Reply' : 'Reply in thread';
  const actions = isReply ? '' : `<button type="button" class="reply-btn" data-id="${esc(message.id)}">${replyLabel}</button>`;
  const replies = isReply || message.replies.length === 0 ? '' : `<div class="thread">${message.replies.map((reply) => messageHtml(pane, reply, true)).join('')}</div>`;
  return `<article class="msg ${message.kind}${isReply ? ' reply' : ''}" data-id="${esc(message.id)}">
    <div class="meta"><span class="author">${esc(message.author)}</span>${badge}<time>${time(message.at)}</time>${message.edited ? '<span class="edited">(edited)</span>' : ''}${actions}</div>
    <div class="text">${format(message.text)}</div>${reactions}${replies}</article>`;
}

function commandHtml(entry) {
  const answers = entry.error
    ? `<div class="answer error-text">${esc(entry.error)}</div>`
    : entry.answers.length
      ? entry.answers.map((answer) => `<div class="answer">${format(answer)}</div>`).join('')
      : '<div class="answer pending">waiting for the answer…</div>';
  const shown = entry.shown !== entry.typed ? `<div class="shown">sent as <code>${esc(entry.shown)}</code></div>` : '';
  return `<article class="ephemeral" data-id="${esc(entry.id)}">
    <div class="meta"><span class="only-you">Only visible to you</span><time>${time(entry.at)}</time>${entry.thread ? '<span class="edited">in a thread</span>' : ''}</div>
    <div class="typed"><code>${esc(entry.typed)}</code></div>${shown}${answers}</article>`;
}

function renderTimeline(pane, messages, commands) {
  const timeline = $('.timeline', paneEl(pane));
  const nearBottom = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 60;
  const items = [
    ...messages.map((message) => ({ at: message.at, html: messageHtml(pane, message, false) })),
    ...commands.map((entry) => ({ at: entry.at, html: commandHtml(entry) })),
  ].sort((a, b) => a.at - b.at);
  timeline.innerHTML = items.length ? items.map((item) => item.html).join('') : `<p class="empty">${pane === 'fluxra' ? 'No conversation linked yet.' : 'No messages yet.'}</p>`;
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
    $('#budget').innerHTML = `<span class="label">Blocks budget</span><span class="bar"><span style="width:${pct}%"></span></span><span><strong>${budget.usedInWindow}</strong>/${budget.limit} in ${Math.round(budget.windowMs / 1000)} s</span><span>queue ${budget.queued.interactive} people · ${budget.queued.background} polls${paused}</span>`;
  }
  $('#hints').innerHTML = view.hints.length
    ? `<strong>Try:</strong><ol>${view.hints.map((hint) => `<li>${format(hint)}</li>`).join('')}</ol>`
    : '';
}

function render() {
  renderTop();
  renderHeader('slack', view.slack.channel, linkState(view.slack));
  renderHeader('discord', view.discord.channel, linkState(view.discord));
  const fluxra = view.fluxra;
  renderHeader('fluxra', fluxra.name ? `${fluxra.name}` : '—', fluxra.conversationId ? `<span class="pill on" title="${esc(fluxra.members.join(', '))}">${fluxra.members.length} members</span>` : '<span class="pill off">no conversation</span>');
  $('[data-pane="slack"] .as').textContent = `as ${view.slack.person}`;
  $('[data-pane="discord"] .as').textContent = `as ${view.discord.person}`;
  const select = $('[data-pane="fluxra"] .agent-select');
  if (select.options.length !== fluxra.agents.length) {
    select.innerHTML = fluxra.agents.map((agent) => `<option value="${esc(agent.agentId)}">${esc(agent.agentName)}</option>`).join('');
  }
  renderTimeline('slack', view.slack.messages, view.slack.commands);
  renderTimeline('discord', view.discord.messages, view.discord.commands);
  renderTimeline('fluxra', fluxra.messages, []);
  firstRender = false;
}

function setThread(pane, id, text) {
  threadTarget[pane] = id;
  const target = $('.thread-target', paneEl(pane));
  target.hidden = id === undefined;
  $('.thread-text', target).textContent = text ? `“${snippet(text)}”` : '';
  if (id !== undefined) $('textarea', paneEl(pane)).focus();
}

async function send(pane) {
  const el = paneEl(pane);
  const input = $('textarea', el);
  const error = $('.error', el);
  const text = input.value.trim();
  if (!text) return;
  const button = $('button[type="submit"]', el);
  button.disabled = true;
  error.textContent = '';
  try {
    const body = { text, thread: threadTarget[pane], ...(pane === 'fluxra' ? { agentId: $('.agent-select', el).value } : {}) };
    const response = await fetch(`/api/${pane}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const result = await response.json();
    if (!result.ok) error.textContent = result.error;
    else input.value = '';
  } catch (failure) {
    error.textContent = `Could not reach the sandbox: ${failure.message}`;
  } finally {
    button.disabled = false;
  }
}

function findMessage(pane, id) {
  const list = view?.[pane]?.messages ?? [];
  return list.find((message) => message.id === id);
}

function buildPane(pane) {
  const spec = paneSpecs[pane];
  const el = $('#pane-template').content.firstElementChild.cloneNode(true);
  el.dataset.pane = pane;
  el.setAttribute('aria-label', spec.label);
  $('h2', el).textContent = spec.title;
  $('.thread-label', el).textContent = spec.threadLabel;
  $('.thread-clear', el).title = spec.threadClear;
  $('textarea', el).placeholder = spec.placeholder;
  // People's panes say who you write as; the Fluxra pane lets you pick the agent.
  (spec.postsAsAgent ? $('.as', el) : $('.agent-select', el)).remove();
  $('#panes').append(el);
}

for (const pane of panes) {
  buildPane(pane);
  const el = paneEl(pane);
  $('form', el).addEventListener('submit', (event) => {
    event.preventDefault();
    void send(pane);
  });
  $('textarea', el).addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send(pane);
    }
  });
  $('.thread-clear', el).addEventListener('click', () => setThread(pane, undefined));
  $('.timeline', el).addEventListener('click', (event) => {
    const button = event.target.closest('.reply-btn');
    if (!button) return;
    setThread(pane, button.dataset.id, findMessage(pane, button.dataset.id)?.text ?? '');
  });
}

// A command in a hint fills the composer of the pane the hint names.
$('#hints').addEventListener('click', (event) => {
  const code = event.target.closest('code');
  if (!code) return;
  const item = code.closest('li')?.textContent ?? '';
  const pane = panes.find((name) => item.toLowerCase().includes(`${name} pane`)) ?? 'slack';
  const input = $('textarea', paneEl(pane));
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
