import { describe, expect, it } from 'vitest';
import {
  type BlockNode,
  type InlineNode,
  parseInline,
  parseMessage,
  parseSnippet,
  plainText,
  safeHttpUrl,
} from './markdown.js';

const text = (t: string): InlineNode => ({ type: 'text', text: t });

/** Every href anywhere in the tree. */
function hrefs(blocks: BlockNode[]): string[] {
  const out: string[] = [];
  const walk = (nodes: InlineNode[]): void => {
    for (const n of nodes) {
      if (n.type === 'link') out.push(n.href);
      if (n.type === 'bold' || n.type === 'italic' || n.type === 'link') walk(n.children);
    }
  };
  for (const b of blocks) if (b.type === 'paragraph') walk(b.children);
  return out;
}

/** All text the user will see, in order: nothing may disappear or be invented. */
function visible(blocks: BlockNode[]): string {
  return blocks.map((b) => (b.type === 'codeblock' ? b.text : plainText(b.children))).join('\n');
}

describe('parseInline', () => {
  it('leaves plain text alone', () => {
    expect(parseInline('hello world')).toEqual([text('hello world')]);
  });

  it('parses bold, italic and inline code', () => {
    expect(parseInline('a **b** *c* _d_ `e`')).toEqual([
      text('a '),
      { type: 'bold', children: [text('b')] },
      text(' '),
      { type: 'italic', children: [text('c')] },
      text(' '),
      { type: 'italic', children: [text('d')] },
      text(' '),
      { type: 'code', text: 'e' },
    ]);
  });

  it('nests emphasis', () => {
    expect(parseInline('**bold *and italic* too**')).toEqual([
      { type: 'bold', children: [text('bold '), { type: 'italic', children: [text('and italic')] }, text(' too')] },
    ]);
    expect(parseInline('*it **bo** it*')).toEqual([
      { type: 'italic', children: [text('it '), { type: 'bold', children: [text('bo')] }, text(' it')] },
    ]);
  });

  it('does not treat snake_case or lone markers as emphasis', () => {
    expect(parseInline('snake_case_name')).toEqual([text('snake_case_name')]);
    expect(parseInline('2 * 3 * 4')).toEqual([text('2 * 3 * 4')]);
    expect(parseInline('** not bold **')).toEqual([text('** not bold **')]);
  });

  it('keeps unterminated markers as text', () => {
    for (const body of ['**open', '*open', '_open', '`open', '[label](http://x.y', '**a *b', '```', '``']) {
      expect(plainText(parseInline(body))).toBe(body);
    }
  });

  it('does not parse markdown inside inline code', () => {
    expect(parseInline('`**x** <b>`')).toEqual([{ type: 'code', text: '**x** <b>' }]);
  });

  it('links bare http(s) URLs and trims trailing punctuation', () => {
    expect(parseInline('see https://example.com/a?b=1.')).toEqual([
      text('see '),
      { type: 'link', href: 'https://example.com/a?b=1', children: [text('https://example.com/a?b=1')] },
      text('.'),
    ]);
    expect(parseInline('(http://example.com/x)')).toEqual([
      text('('),
      { type: 'link', href: 'http://example.com/x', children: [text('http://example.com/x')] },
      text(')'),
    ]);
  });

  it('parses [label](url) links with http(s) only', () => {
    expect(parseInline('[Veza](https://veza.example/)')).toEqual([
      { type: 'link', href: 'https://veza.example/', children: [text('Veza')] },
    ]);
    expect(parseInline('[x](ftp://a.b/)')).toEqual([text('[x](ftp://a.b/)')]);
  });

  it('marks @mentions', () => {
    expect(parseInline('hi @ada, and @bob.')).toEqual([
      text('hi '),
      { type: 'mention', username: 'ada' },
      text(', and '),
      { type: 'mention', username: 'bob' },
      text('.'),
    ]);
    expect(parseInline('mail me at a@example.com')).toEqual([text('mail me at a@example.com')]);
  });
});

describe('parseMessage', () => {
  it('splits fenced code blocks and keeps their content verbatim', () => {
    expect(parseMessage('before\n```ts\nconst a = **1**;\n```\nafter')).toEqual([
      { type: 'paragraph', children: [text('before')] },
      { type: 'codeblock', lang: 'ts', text: 'const a = **1**;' },
      { type: 'paragraph', children: [text('after')] },
    ]);
  });

  it('treats an unterminated fence as text', () => {
    expect(parseMessage('```\ncode without end')).toEqual([
      { type: 'paragraph', children: [text('```\ncode without end')] },
    ]);
  });
});

describe('XSS corpus: markup stays text, only http(s) links survive', () => {
  const corpus = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '"><svg onload=alert(1)>',
    '[click](javascript:alert(1))',
    '[click](JaVaScRiPt:alert(1))',
    '[click]( javascript:alert(1))',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[click](vbscript:msgbox(1))',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '[a](http://ok.example)[b](javascript:alert(1))',
    '**[x](javascript:alert(1))**',
    '[**x**](https://ok.example/"onmouseover="alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    '`<script>`',
    '```html\n<script>alert(1)</script>\n```',
    '&lt;script&gt; &amp; &#x3C;',
    '\u202Egnp.exe',
    '[x](https://[::1]:99999/)',
    'http://',
    'https://user:pass@evil.example/',
  ];

  it.each(corpus)('%s', (body) => {
    const blocks = parseMessage(body);
    for (const href of hrefs(blocks)) {
      expect(href).toMatch(/^https?:\/\//);
      expect(() => new URL(href)).not.toThrow();
    }
    // Nothing but text, code, emphasis, mentions and vetted links comes out.
    const serialised = JSON.stringify(blocks);
    expect(serialised).not.toMatch(/"href":"(javascript|data|vbscript):/i);
  });

  it('keeps all visible characters of markup (it is displayed, not interpreted)', () => {
    expect(visible(parseMessage('<script>alert(1)</script>'))).toBe('<script>alert(1)</script>');
    expect(visible(parseMessage('<img src=x onerror=alert(1)>'))).toBe('<img src=x onerror=alert(1)>');
  });

  it('never makes a link of javascript: or data: labels', () => {
    expect(hrefs(parseMessage('[x](javascript:alert(1))'))).toEqual([]);
    expect(hrefs(parseMessage('[x](data:text/html,hi)'))).toEqual([]);
    expect(hrefs(parseMessage('[a](http://ok.example)[b](javascript:alert(1))'))).toEqual(['http://ok.example/']);
  });

  it('does not nest links inside link labels', () => {
    const blocks = parseMessage('[see https://inner.example](https://outer.example)');
    expect(hrefs(blocks)).toEqual(['https://outer.example/']);
  });

  it('handles 4000-character bodies, pathological markers included', () => {
    const bodies = [
      'a'.repeat(4000),
      '*'.repeat(4000),
      '_'.repeat(4000),
      '`'.repeat(4000),
      '**a'.repeat(1333),
      '*a_'.repeat(1333),
      '[a]('.repeat(1000),
      'https://x.example/'.padEnd(4000, 'a'),
      '@'.repeat(4000),
      '**'.repeat(1000) + 'x' + '**'.repeat(1000),
      '```'.repeat(1333),
    ];
    for (const body of bodies) {
      const blocks = parseMessage(body);
      expect(blocks.length).toBeGreaterThan(0);
      // Only markers may be consumed; every other character survives.
      const strip = (s: string): string => s.replace(/[*_`\s]/g, '');
      expect(strip(visible(blocks)).length).toBeLessThanOrEqual(strip(body).length);
    }
  });

  it('limits nesting depth', () => {
    const deep = '*'.repeat(1) + '**_'.repeat(50) + 'x' + '_**'.repeat(50) + '*';
    expect(() => parseMessage(deep)).not.toThrow();
  });
});

describe('safeHttpUrl', () => {
  it('accepts http and https only', () => {
    expect(safeHttpUrl('https://a.example/x')).toBe('https://a.example/x');
    expect(safeHttpUrl('HTTP://A.example')).toBe('http://a.example/');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('data:text/plain,hi')).toBeNull();
    expect(safeHttpUrl('//evil.example')).toBeNull();
    expect(safeHttpUrl('http://')).toBeNull();
  });
});

describe('parseSnippet', () => {
  it('splits matches marked with U+E000/U+E001', () => {
    expect(parseSnippet('say \uE000hello\uE001 to \uE000Ada\uE001!')).toEqual([
      { text: 'say ', match: false },
      { text: 'hello', match: true },
      { text: ' to ', match: false },
      { text: 'Ada', match: true },
      { text: '!', match: false },
    ]);
  });
  it('treats markup in snippets as text', () => {
    expect(parseSnippet('<b>\uE000x\uE001</b>')).toEqual([
      { text: '<b>', match: false },
      { text: 'x', match: true },
      { text: '</b>', match: false },
    ]);
  });
});
