import { Fragment, memo, type ReactNode, useMemo } from 'react';
import { type InlineNode, parseMessage, parseSnippet } from './markdown.js';
import { useUi } from '../../app/ui-store.js';

function renderInline(nodes: InlineNode[], me: string | null, keyPrefix = ''): ReactNode[] {
  return nodes.map((node, i) => {
    const key = `${keyPrefix}${i}`;
    switch (node.type) {
      case 'text':
        return <Fragment key={key}>{node.text}</Fragment>;
      case 'bold':
        return <strong key={key}>{renderInline(node.children, me, `${key}.`)}</strong>;
      case 'italic':
        return <em key={key}>{renderInline(node.children, me, `${key}.`)}</em>;
      case 'code':
        return <code key={key}>{node.text}</code>;
      case 'mention':
        return (
          <span key={key} className={me && node.username.toLowerCase() === me.toLowerCase() ? 'mention me' : 'mention'}>
            @{node.username}
          </span>
        );
      case 'link':
        return (
          <a
            key={key}
            href={node.href}
            rel="noopener noreferrer nofollow"
            title={node.href}
            onClick={(e) => {
              // Never navigate the app window: the system browser opens it.
              e.preventDefault();
              useUi.getState().openExternal(node.href);
            }}
            onAuxClick={(e) => e.preventDefault()}
            onDragStart={(e) => e.preventDefault()}
          >
            {renderInline(node.children, me, `${key}.`)}
          </a>
        );
    }
  });
}

/** A message body: the markdown subset rendered as React elements, never as HTML. */
export const MarkdownBody = memo(function MarkdownBody({ body, me }: { body: string; me: string | null }) {
  const blocks = useMemo(() => parseMessage(body), [body]);
  return (
    <>
      {blocks.map((block, i) =>
        block.type === 'codeblock' ? (
          <pre key={i} className="codeblock" data-lang={block.lang || undefined}>
            <code>{block.text}</code>
          </pre>
        ) : (
          <p key={i}>{renderInline(block.children, me)}</p>
        ),
      )}
    </>
  );
});

/** A search snippet with U+E000…U+E001 matches as <mark>. */
export function Snippet({ text }: { text: string }) {
  return (
    <>
      {parseSnippet(text).map((part, i) =>
        part.match ? <mark key={i}>{part.text}</mark> : <Fragment key={i}>{part.text}</Fragment>,
      )}
    </>
  );
}
