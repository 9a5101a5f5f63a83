/**
 * The console's HTTP server (node:http, loopback only): the page and its static files,
 * the current view as JSON, the view as a Server-Sent Events stream (one `view` event per
 * change), and one POST per pane for what the visitor does there.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ActionInput, ActionRefused, type ConsoleActions } from './actions.js';
import type { ChatButtons, PressInput, SubmitInput } from './chat-buttons.js';
import type { EditInput, RemoveInput } from './message-edits.js';
import type { SidePaneActions } from './side-pane.js';
import type { ConsoleView } from './view-types.js';
import { SAMPLE_ATTACHMENT } from './visitor-text.js';

export interface ConsoleServerOptions {
  host: string;
  /** The preferred port; when it is taken (and not 0), a free one is used instead. */
  port: number;
  actions: ConsoleActions;
  /** Buttons under messages and the forms they open, in the Slack and Discord panes. */
  buttons?: ChatButtons;
  /** Slack's AI side pane: `POST /api/side-pane` writes in a chat, `/api/side-pane/open` starts one. */
  sidePane: SidePaneActions;
  currentView(): ConsoleView;
  /** Called after each action so that its effect is shown without waiting for the next refresh. */
  refresh(): Promise<void>;
  onError(error: unknown): void;
}

export interface ConsoleServer {
  readonly url: string;
  /** The port asked for was taken and another one is used. */
  readonly portFallback: boolean;
  /** Sends the view to every open page. */
  publish(view: ConsoleView): void;
  close(): Promise<void>;
}

const PAGE_DIR = new URL('./page/', import.meta.url);
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
  '/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/render-text.js': { file: 'render-text.js', type: 'text/javascript; charset=utf-8' },
  '/side-pane.js': { file: 'side-pane.js', type: 'text/javascript; charset=utf-8' },
};
const PANES = new Set(['slack', 'discord', 'fluxra']);
const MAX_BODY = 64 * 1024;

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new ActionRefused('That is too long for the sandbox.'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        reject(new ActionRefused('The request was not JSON.'));
      }
    });
    req.on('error', reject);
  });
}

const optional = (value: Record<string, unknown>, key: string): string | undefined => (typeof value[key] === 'string' && value[key] !== '' ? (value[key] as string) : undefined);

function textOf(value: Record<string, unknown>): string {
  const text = typeof value['text'] === 'string' ? value['text'].trim() : '';
  if (text === '') throw new ActionRefused('Type something first.');
  return text;
}

function idOf(value: Record<string, unknown>): string {
  const id = optional(value, 'id');
  if (id === undefined) throw new ActionRefused('Which message? (no id given)');
  return id;
}

function actionInput(body: unknown): ActionInput {
  const value = (body ?? {}) as Record<string, unknown>;
  const text = textOf(value);
  const thread = optional(value, 'thread');
  const agentId = optional(value, 'agentId');
  return { text, ...(thread ? { thread } : {}), ...(agentId ? { agentId } : {}), ...(value['attach'] === true ? { attach: true } : {}) };
}

const editInput = (body: unknown): EditInput => ({ id: idOf((body ?? {}) as Record<string, unknown>), text: textOf((body ?? {}) as Record<string, unknown>) });
const removeInput = (body: unknown): RemoveInput => ({ id: idOf((body ?? {}) as Record<string, unknown>) });

function pressInput(body: unknown): PressInput {
  const value = (body ?? {}) as Record<string, unknown>;
  const action = optional(value, 'action');
  if (action === undefined) throw new ActionRefused('Which button? (no action given)');
  const thread = optional(value, 'thread');
  return { id: idOf(value), action, ...(thread ? { thread } : {}) };
}

function formOf(value: Record<string, unknown>): string {
  const form = optional(value, 'form');
  if (form === undefined) throw new ActionRefused('Which form? (no form given)');
  return form;
}

const submitInput = (body: unknown): SubmitInput => ({ form: formOf((body ?? {}) as Record<string, unknown>), text: textOf((body ?? {}) as Record<string, unknown>) });

/** A press, a form submitted or cancelled in the Slack or Discord pane. */
async function buttonAction(buttons: ChatButtons | undefined, pane: string, verb: string, body: unknown): Promise<void> {
  if (!buttons || (pane !== 'slack' && pane !== 'discord')) throw new ActionRefused('There are no buttons in this pane.');
  const actions = buttons[pane];
  if (verb === 'press') await actions.press(pressInput(body));
  else if (verb === 'submit') await actions.submit(submitInput(body));
  else await actions.cancel({ form: formOf((body ?? {}) as Record<string, unknown>) });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  // Read once: the page is small, and a missing file should fail the start, not the first visit.
  const files = new Map(Object.entries(STATIC).map(([path, entry]) => [path, { body: readFileSync(new URL(entry.file, PAGE_DIR)), type: entry.type }]));
  const streams = new Set<ServerResponse>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const file = req.method === 'GET' ? files.get(url.pathname) : undefined;
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
      res.end(file.body);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/view') return sendJson(res, 200, options.currentView());
    if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`retry: 1000\nevent: view\ndata: ${JSON.stringify(options.currentView())}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method === 'GET' && url.pathname === `/files/${SAMPLE_ATTACHMENT.name}`) {
      res.writeHead(200, { 'content-type': `${SAMPLE_ATTACHMENT.type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(SAMPLE_ATTACHMENT.body);
      return;
    }
    const sidePaneVerb = /^\/api\/side-pane(?:\/(open))?$/.exec(url.pathname);
    if (req.method === 'POST' && sidePaneVerb) {
      try {
        const body = (await readJson(req)) as Record<string, unknown> | null;
        if (sidePaneVerb[1] === 'open') await options.sidePane.open();
        else {
          const thread = optional(body ?? {}, 'thread');
          await options.sidePane.post({ text: textOf(body ?? {}), ...(thread ? { thread } : {}) });
        }
      } catch (error) {
        if (error instanceof ActionRefused) return sendJson(res, 400, { ok: false, error: error.message });
        options.onError(error);
        return sendJson(res, 500, { ok: false, error: `The sandbox could not do that: ${(error as Error).message}` });
      }
      await options.refresh();
      return sendJson(res, 200, { ok: true });
    }
    const [, pane, verb] = /^\/api\/([a-z]+)(?:\/(edit|delete|press|submit|cancel))?$/.exec(url.pathname) ?? [];
    if (req.method === 'POST' && pane && PANES.has(pane)) {
      const actions = options.actions[pane as keyof ConsoleActions];
      try {
        const body = await readJson(req);
        if (verb === 'press' || verb === 'submit' || verb === 'cancel') await buttonAction(options.buttons, pane, verb, body);
        else if (verb === 'edit') await actions.edit(editInput(body));
        else if (verb === 'delete') await actions.remove(removeInput(body));
        else await actions.post(actionInput(body));
      } catch (error) {
        if (error instanceof ActionRefused) return sendJson(res, 400, { ok: false, error: error.message });
        options.onError(error);
        return sendJson(res, 500, { ok: false, error: `The sandbox could not do that: ${(error as Error).message}` });
      }
      await options.refresh();
      return sendJson(res, 200, { ok: true });
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError(error);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal error' });
    });
  });
  // Comments keep idle streams open through proxies and let the page notice a dead server.
  const keepAlive = setInterval(() => {
    for (const stream of streams) stream.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(port, options.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
  let portFallback = false;
  try {
    await listen(options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port === 0) throw error;
    portFallback = true;
    await listen(0);
  }
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host}:${port}`,
    portFallback,
    publish(view) {
      const frame = `event: view\ndata: ${JSON.stringify(view)}\n\n`;
      for (const stream of streams) stream.write(frame);
    },
    async close() {
      clearInterval(keepAlive);
      for (const stream of streams) stream.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
