/**
 * The markdown subset chat messages use (docs/protocol.md): **bold**, *italic* / _italic_,
 * `inline code`, ``` code blocks ```, links to http(s) URLs (bare or [label](url)) and @mentions.
 * Everything else is text. The parser returns plain data; the UI turns it into React elements
 * (never HTML strings), so nothing in a message can become markup.
 *
 * Pure: no DOM, runs under Node in unit tests.
 */

export type InlineNode =
  | { type: 'text'; text: string }
  | { type: 'bold'; children: InlineNode[] }
  | { type: 'italic'; children: InlineNode[] }
  | { type: 'code'; text: string }
  | { type: 'link'; href: string; children: InlineNode[] }
  | { type: 'mention'; username: string };

export type BlockNode =
  { type: 'paragraph'; children: InlineNode[] } | { type: 'codeblock'; lang: string; text: string };

/** Deepest emphasis nesting honoured; deeper markers stay text (keeps parsing linear-ish). */
const MAX_DEPTH = 4;
const FENCE = '```';
const USERNAME_RE = /^@([A-Za-z0-9_][A-Za-z0-9_.-]{2,31})/;
const BARE_URL_RE = /^https?:\/\/[^\s<>"'`]+/i;
const WORD_CHAR_RE = /[\p{L}\p{N}_]/u;

/** A URL the app may open: http or https only, parsed by the URL parser. Returns the normalised href or null. */
export function safeHttpUrl(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^https?:\/\//i.test(trimmed)) return null;
  try {
    const url = new URL(trimmed);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (!url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}

/** Drops punctuation that usually ends a sentence rather than a URL, and unbalanced closing parentheses. */
function trimBareUrl(candidate: string): string {
  let url = candidate;
  for (;;) {
    const last = url.at(-1);
    if (last === undefined) return url;
    if ('.,;:!?*_'.includes(last)) {
      url = url.slice(0, -1);
      continue;
    }
    if (last === ')') {
      const opens = url.split('(').length - 1;
      const closes = url.split(')').length - 1;
      if (closes > opens) {
        url = url.slice(0, -1);
        continue;
      }
    }
    return url;
  }
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR_RE.test(ch);
}

function pushText(nodes: InlineNode[], text: string): void {
  if (!text) return;
  const last = nodes.at(-1);
  if (last && last.type === 'text') last.text += text;
  else nodes.push({ type: 'text', text });
}

/** Finds the closing emphasis marker for an opener at `from`; -1 when there is none. */
function findClosing(src: string, marker: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const at = src.indexOf(marker, i);
    if (at === -1) return -1;
    // Skip markers inside inline code spans.
    const tick = src.indexOf('`', i);
    if (tick !== -1 && tick < at) {
      const closeTick = src.indexOf('`', tick + 1);
      if (closeTick !== -1 && closeTick > at) {
        i = closeTick + 1;
        continue;
      }
    }
    const before = src[at - 1];
    const validEnd = before !== undefined && !/\s/.test(before);
    if (marker === '*' && (src[at + 1] === '*' || before === '*')) {
      // `*` next to another `*` belongs to a bold marker.
      i = at + 2;
      continue;
    }
    if (marker === '_' && isWordChar(src[at + 1])) {
      i = at + 1;
      continue;
    }
    if (validEnd && at > from) return at;
    i = at + marker.length;
  }
  return -1;
}

export function parseInline(src: string, depth = 0): InlineNode[] {
  const nodes: InlineNode[] = [];
  let text = '';
  const flush = (): void => {
    pushText(nodes, text);
    text = '';
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    const prev = src[i - 1];

    if (ch === '`') {
      const close = src.indexOf('`', i + 1);
      if (close > i + 1) {
        flush();
        nodes.push({ type: 'code', text: src.slice(i + 1, close) });
        i = close + 1;
        continue;
      }
    }

    if (ch === '*' && src[i + 1] === '*' && depth < MAX_DEPTH) {
      const inner = i + 2;
      if (src[inner] !== undefined && !/\s/.test(src[inner])) {
        const close = findClosing(src, '**', inner);
        if (close > inner) {
          flush();
          nodes.push({ type: 'bold', children: parseInline(src.slice(inner, close), depth + 1) });
          i = close + 2;
          continue;
        }
      }
      text += '**';
      i += 2;
      continue;
    }

    if ((ch === '*' || ch === '_') && depth < MAX_DEPTH && !(ch === '_' && isWordChar(prev))) {
      const inner = i + 1;
      if (src[inner] !== undefined && !/\s/.test(src[inner]) && src[inner] !== ch) {
        const close = findClosing(src, ch, inner);
        if (close > inner) {
          flush();
          nodes.push({ type: 'italic', children: parseInline(src.slice(inner, close), depth + 1) });
          i = close + 1;
          continue;
        }
      }
    }

    if (ch === '[') {
      const closeLabel = src.indexOf('](', i + 1);
      if (closeLabel > i + 1 && !src.slice(i + 1, closeLabel).includes('\n')) {
        const closeParen = src.indexOf(')', closeLabel + 2);
        if (closeParen !== -1) {
          const href = safeHttpUrl(src.slice(closeLabel + 2, closeParen));
          if (href) {
            flush();
            const label = src.slice(i + 1, closeLabel);
            const children =
              depth < MAX_DEPTH ? parseInline(label, depth + 1) : [{ type: 'text' as const, text: label }];
            nodes.push({ type: 'link', href, children: stripLinks(children) });
            i = closeParen + 1;
            continue;
          }
        }
      }
    }

    if ((ch === 'h' || ch === 'H') && !isWordChar(prev)) {
      const m = BARE_URL_RE.exec(src.slice(i, i + 2100));
      if (m) {
        const candidate = trimBareUrl(m[0]);
        const href = safeHttpUrl(candidate);
        if (href) {
          flush();
          nodes.push({ type: 'link', href, children: [{ type: 'text', text: candidate }] });
          i += candidate.length;
          continue;
        }
      }
    }

    if (ch === '@' && !isWordChar(prev)) {
      const m = USERNAME_RE.exec(src.slice(i, i + 40));
      if (m && m[1]) {
        // A trailing dot or dash ends the sentence, not the name.
        const username = m[1].replace(/[.-]+$/, '');
        if (username.length >= 3) {
          flush();
          nodes.push({ type: 'mention', username });
          i += 1 + username.length;
          continue;
        }
      }
    }

    text += ch;
    i += 1;
  }
  flush();
  return nodes;
}

/** Links inside a link label become their text (no nested anchors). */
function stripLinks(nodes: InlineNode[]): InlineNode[] {
  const out: InlineNode[] = [];
  for (const node of nodes) {
    if (node.type === 'link') for (const child of stripLinks(node.children)) out.push(child);
    else if (node.type === 'bold' || node.type === 'italic') out.push({ ...node, children: stripLinks(node.children) });
    else out.push(node);
  }
  return out;
}

/** Parses a message body into blocks: fenced code blocks and paragraphs of inline markdown. */
export function parseMessage(body: string): BlockNode[] {
  const blocks: BlockNode[] = [];
  let rest = body;
  while (rest.length > 0) {
    const open = rest.indexOf(FENCE);
    const close = open === -1 ? -1 : rest.indexOf(FENCE, open + FENCE.length);
    if (open === -1 || close === -1) {
      pushParagraph(blocks, rest);
      break;
    }
    pushParagraph(blocks, rest.slice(0, open));
    let inner = rest.slice(open + FENCE.length, close);
    let lang = '';
    const firstLine = /^([A-Za-z0-9_+#.-]{1,20})?\r?\n/.exec(inner);
    if (firstLine) {
      lang = firstLine[1] ?? '';
      inner = inner.slice(firstLine[0].length);
    }
    blocks.push({ type: 'codeblock', lang, text: inner.replace(/\r?\n$/, '') });
    rest = rest.slice(close + FENCE.length).replace(/^\r?\n/, '');
  }
  return blocks;
}

function pushParagraph(blocks: BlockNode[], text: string): void {
  const trimmed = text.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
  if (!trimmed) return;
  blocks.push({ type: 'paragraph', children: parseInline(trimmed) });
}

/** The plain text of a parsed message (for previews and accessible labels). */
export function plainText(nodes: InlineNode[]): string {
  return nodes
    .map((node) => {
      switch (node.type) {
        case 'text':
        case 'code':
          return node.text;
        case 'mention':
          return `@${node.username}`;
        default:
          return plainText(node.children);
      }
    })
    .join('');
}

export type SnippetPart = { text: string; match: boolean };

/** Splits a search snippet whose matches are wrapped in U+E000 … U+E001 into highlighted parts. */
export function parseSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let match = false;
  let current = '';
  const push = (): void => {
    if (current) parts.push({ text: current, match });
    current = '';
  };
  for (const ch of snippet) {
    if (ch === '\uE000') {
      push();
      match = true;
    } else if (ch === '\uE001') {
      push();
      match = false;
    } else {
      current += ch;
    }
  }
  push();
  return parts;
}
