/**
 * Neutral markdown → Slack mrkdwn. The markdown is parsed into an mdast tree (CommonMark +
 * GFM) and rendered node by node, so that emphasis, code and links are recognised exactly
 * as a markdown reader would see them rather than by pattern matching.
 *
 * Slack needs `&`, `<` and `>` sent as entities everywhere, code included: that is its
 * transport encoding, not markdown escaping, and it is what keeps `<!channel>` inside code
 * from being read as a control sequence. Mass mentions never reach Slack as such: both
 * `<!channel>`-style sequences and a literal `@channel` are rendered with a zero-width
 * space after the `@`, which looks the same and pings nobody.
 */

import type { Definition, Nodes, PhrasingContent, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { type Mention, plainMention, renderMentions } from './mentions.js';
import { isPlainText } from './plain.js';

/** Placed after `@` in `@channel`, `@here`, `@everyone` so that they are inert. */
export const INERT_MENTION_SEPARATOR = '\u200B';

const MASS_MENTION = /@(channel|here|everyone)\b/gi;
/**
 * A neutral channel reference (`<#C1>`, written by the bridge's own answers), passed as it is.
 * A raw `<@U1>` is not: only mention tokens may ping (mentions.ts).
 */
const CHANNEL_REFERENCE = /<#([A-Z0-9]+)(?:\|[^<>]*)?>/g;
/** Slack control sequences such as `<!here>` or `<!subteam^S1|@team>`. */
const SLACK_SPECIAL = /<!([^<>|]+)(?:\|([^<>]*))?>/g;

/** Converts neutral markdown to Slack mrkdwn. */
export function markdownToSlack(markdown: string): string {
  // Nothing to render or encode: skip the parse (see plain.ts).
  if (isPlainText(markdown)) return markdown.trimEnd();
  const tree = fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const definitions = new Map<string, Definition>();
  collectDefinitions(tree, definitions);
  return renderBlocks(tree.children, { definitions }).trim();
}

interface RenderContext {
  definitions: Map<string, Definition>;
}

function collectDefinitions(node: Nodes, into: Map<string, Definition>): void {
  if (node.type === 'definition') into.set(node.identifier, node);
  if ('children' in node) for (const child of node.children) collectDefinitions(child, into);
}

function renderBlocks(nodes: RootContent[], context: RenderContext): string {
  return nodes
    .map((node) => renderBlock(node, context))
    .filter((text) => text !== '')
    .join('\n\n');
}

function renderBlock(node: RootContent, context: RenderContext): string {
  switch (node.type) {
    case 'paragraph':
      return renderInline(node.children, context);
    case 'heading':
      // Slack has no headings; bold on its own line reads as one.
      return `*${renderInline(node.children, context)}*`;
    case 'blockquote':
      return prefixLines(renderBlocks(node.children, context), '> ', '>');
    case 'list':
      return node.children
        .map((item, index) => {
          const marker = node.ordered ? `${(node.start ?? 1) + index}. ` : '• ';
          const check = item.checked === true ? '☑ ' : item.checked === false ? '☐ ' : '';
          // Items are tight in Slack: blocks inside an item are separated by one newline.
          const body = item.children
            .map((child) => renderBlock(child, context))
            .filter((text) => text !== '')
            .join('\n');
          return indentContinuation(marker + check + body, ' '.repeat(4));
        })
        .join('\n');
    case 'code':
      return '```\n' + encodeEntities(node.value) + '\n```';
    case 'thematicBreak':
      return '---';
    case 'html':
      return renderText(node.value);
    case 'table':
      // Slack cannot draw tables; a monospaced block keeps the columns readable.
      return '```\n' + node.children.map((row) => row.children.map((cell) => encodeEntities(plainText(cell.children))).join(' | ')).join('\n') + '\n```';
    case 'definition':
      return '';
    case 'footnoteDefinition':
      return `[^${node.identifier}]: ${renderBlocks(node.children, context)}`;
    default:
      return 'children' in node ? renderInline(node.children as PhrasingContent[], context) : '';
  }
}

function renderInline(nodes: PhrasingContent[], context: RenderContext): string {
  return nodes.map((node) => renderPhrasing(node, context)).join('');
}

function renderPhrasing(node: PhrasingContent, context: RenderContext): string {
  switch (node.type) {
    case 'text':
      return renderText(node.value);
    case 'strong':
      return `*${renderInline(node.children, context)}*`;
    case 'emphasis':
      return `_${renderInline(node.children, context)}_`;
    case 'delete':
      return `~${renderInline(node.children, context)}~`;
    case 'inlineCode':
      return '`' + encodeEntities(node.value) + '`';
    case 'break':
      return '\n';
    case 'link':
      return renderLink(node.url, plainText(node.children));
    case 'image':
      return renderLink(node.url, node.alt ?? '');
    case 'linkReference':
    case 'imageReference': {
      const definition = context.definitions.get(node.identifier);
      const label = node.type === 'linkReference' ? plainText(node.children) : (node.alt ?? '');
      return definition ? renderLink(definition.url, label) : renderText(label);
    }
    case 'footnoteReference':
      return `[^${node.identifier}]`;
    case 'html':
      return /^<br\s*\/?>$/i.test(node.value) ? '\n' : renderText(node.value);
    default:
      // Phrasing types added by extensions we do not load: keep their text.
      return plainText([node as PhrasingContent]);
  }
}

/**
 * Plain text: mention tokens rendered (live only for Slack's own, see mentions.ts), neutral
 * channel references kept, mass mentions and Slack control sequences made inert, the rest encoded.
 */
function renderText(value: string): string {
  return renderMentions(value, slackMention, (text) => {
    let out = '';
    let last = 0;
    for (const match of text.matchAll(new RegExp(`${CHANNEL_REFERENCE.source}|${SLACK_SPECIAL.source}`, 'g'))) {
      out += encodePlain(text.slice(last, match.index));
      if (match[1] !== undefined) out += `<#${match[1]}>`;
      else out += inertSpecial(match[2] ?? '', match[3]);
      last = match.index + match[0].length;
    }
    return out + encodePlain(text.slice(last));
  });
}

/** A token as mrkdwn: a live mention for Slack's own, a plain (encoded, inert) name for others. */
function slackMention(mention: Mention): string {
  if (mention.platform !== 'slack') return encodePlain(plainMention(mention));
  if (mention.kind === 'channel') return `<#${mention.id}>`;
  return mention.kind === 'role' ? `<!subteam^${mention.id}>` : `<@${mention.id}>`;
}

function encodePlain(text: string): string {
  return encodeEntities(text).replace(MASS_MENTION, (_match, word: string) => `@${INERT_MENTION_SEPARATOR}${word}`);
}

/** `<!here>` → `@\u200Bhere`; `<!subteam^S1|@devs>` → `@\u200Bdevs`; `<!date^…|fallback>` → the fallback. */
function inertSpecial(keyword: string, label: string | undefined): string {
  const name = (label ?? keyword.split('^')[0] ?? '').replace(/^@/, '');
  if (label !== undefined && !label.startsWith('@') && !/^(channel|here|everyone|subteam)/i.test(keyword)) return encodePlain(label);
  return `@${INERT_MENTION_SEPARATOR}${encodeEntities(name)}`;
}

function renderLink(url: string, label: string): string {
  const target = encodeEntities(url).replace(/\|/g, '%7C');
  const bare = url.replace(/^mailto:/, '');
  // Slack writes mail links with their address as the label; plain URLs without one.
  if (url.startsWith('mailto:') && (label === '' || label === bare)) return `<${target}|${encodePlain(bare)}>`;
  if (label === '' || label === url) return `<${target}>`;
  return `<${target}|${encodePlain(label)}>`;
}

function plainText(nodes: PhrasingContent[]): string {
  return nodes
    .map((node) => {
      if ('value' in node) return node.value;
      if (node.type === 'image' || node.type === 'imageReference') return node.alt ?? '';
      return 'children' in node ? plainText(node.children as PhrasingContent[]) : '';
    })
    .join('');
}

/** Slack's transport encoding of its three control characters. */
export function encodeEntities(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function prefixLines(text: string, prefix: string, blankPrefix: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? blankPrefix : prefix + line))
    .join('\n');
}

function indentContinuation(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}
