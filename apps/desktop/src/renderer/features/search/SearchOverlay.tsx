import { useEffect, useRef, useState } from 'react';
import type { MessageSearchHit } from '../../../common/contract.js';
import { errorMessage } from '../../lib/errors.js';
import { formatMessageTime, formatDayLabel } from '../../lib/format.js';
import { useMessages } from '../chat/messages-store.js';
import { useUi } from '../../app/ui-store.js';
import { Spinner } from '../../ui/Spinner.js';
import { Icon } from '../../ui/icons.js';
import { Snippet } from '../chat/MarkdownBody.js';

export function SearchOverlay() {
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<MessageSearchHit[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const close = (): void => useUi.getState().setSearchOpen(false);

  useEffect(() => {
    inputRef.current?.focus();
  }, []);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setHits(null);
      setError(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      setBusy(true);
      useMessages
        .getState()
        .search(q.slice(0, 200))
        .then((result) => {
          if (cancelled) return;
          setHits(result);
          setError(null);
          setActive(0);
        })
        .catch((e: unknown) => {
          if (!cancelled) setError(errorMessage(e));
        })
        .finally(() => {
          if (!cancelled) setBusy(false);
        });
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [query]);

  const open = (hit: MessageSearchHit): void => {
    useUi.getState().openRoom(hit.message.roomId, hit.message.clientId);
    close();
  };

  return (
    <div
      className="overlay"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) close();
      }}
    >
      <div className="search-panel" role="dialog" aria-modal="true" aria-label="Search">
        <div className="search-field">
          <Icon name="search" />
          <input
            ref={inputRef}
            type="search"
            aria-label="Search messages"
            placeholder="Search messages — works offline"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                close();
              } else if (e.key === 'ArrowDown' && hits && hits.length > 0) {
                e.preventDefault();
                setActive((a) => Math.min(a + 1, hits.length - 1));
              } else if (e.key === 'ArrowUp' && hits && hits.length > 0) {
                e.preventDefault();
                setActive((a) => Math.max(a - 1, 0));
              } else if (e.key === 'Enter' && hits?.[active]) {
                e.preventDefault();
                open(hits[active]);
              }
            }}
          />
          {busy && <Spinner label="Searching" />}
          <kbd aria-hidden="true">Esc</kbd>
        </div>
        <div className="search-results">
          {error ? (
            <p className="search-note error-text">{error}</p>
          ) : hits === null ? (
            <p className="search-note muted">
              Type to search every room you’ve joined. Results come from this computer, even offline.
            </p>
          ) : hits.length === 0 ? (
            <p className="search-note muted">No messages match “{query.trim()}”.</p>
          ) : null}
          <ul role="list" aria-label="Search results">
            {hits?.map((hit, i) => (
              <li
                role="listitem"
                key={hit.message.clientId}
                className={i === active ? 'search-hit active' : 'search-hit'}
                onMouseEnter={() => setActive(i)}
              >
                <button type="button" onClick={() => open(hit)}>
                  <span className="hit-meta">
                    <span className="hit-room">#{hit.roomName}</span>
                    <span className="hit-author">{hit.message.authorUsername}</span>
                    <time dateTime={hit.message.createdAt}>
                      {formatDayLabel(hit.message.createdAt)} {formatMessageTime(hit.message.createdAt)}
                    </time>
                  </span>
                  <span className="hit-snippet">
                    <Snippet text={hit.snippet} />
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}
