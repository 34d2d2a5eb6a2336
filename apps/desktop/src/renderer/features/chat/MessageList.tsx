import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import type { ChatMessage } from '../../../common/contract.js';
import { buildTimeline } from '../../lib/format.js';
import { newestSeq } from './messages-logic.js';
import { useMessages } from './messages-store.js';
import { useUi } from '../../app/ui-store.js';
import { Spinner } from '../../ui/Spinner.js';
import { MessageItem } from './MessageItem.js';

const BOTTOM_SLACK_PX = 48;
const LOAD_OLDER_PX = 600;
/** Room above the first row for the loading spinner / start-of-conversation note. */
const TOP_PX = 56;

interface Props {
  roomId: string;
  messages: ChatMessage[];
  hasOlder: boolean;
  loadingOlder: boolean;
  lastReadSeq: number;
  myId: string | null;
  myName: string | null;
  onReply(message: ChatMessage): void;
  onEdit(message: ChatMessage): void;
  onDelete(message: ChatMessage): void;
}

/**
 * The virtualised timeline: only visible rows are in the DOM, so a room with 100k cached messages
 * scrolls like one with 50. Older pages load near the top with the scroll position anchored; the
 * list sticks to the bottom while the user is there, and marks the room read.
 */
export function MessageList(props: Props) {
  const { roomId, messages, hasOlder, loadingOlder, lastReadSeq, myId, myName, onReply, onEdit, onDelete } = props;
  const rows = useMemo(() => buildTimeline(messages), [messages]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ key: string; start: number } | null>(null);
  const highlight = useUi((s) => s.highlightClientId);

  const keyIndex = useMemo(() => {
    const map = new Map<string, number>();
    rows.forEach((row, i) => map.set(row.key, i));
    return map;
  }, [rows]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => {
      const row = rows[i];
      if (!row || row.kind === 'day') return 44;
      return row.showHeader ? 68 : 28;
    },
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 10,
    paddingStart: TOP_PX,
    paddingEnd: 12,
  });

  const markReadIfVisible = useCallback(() => {
    if (!atBottom.current || document.visibilityState !== 'visible') return;
    const seq = newestSeq(messages);
    if (seq !== null && seq > lastReadSeq) void useMessages.getState().markRead(roomId, seq);
  }, [messages, lastReadSeq, roomId]);

  /** Remembers the first visible message and where it sits, to restore it after a prepend. */
  const rememberAnchor = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const items = virtualizer.getVirtualItems();
    const first = items.find((item) => item.end > el.scrollTop && rows[item.index]?.kind === 'message');
    anchor.current = first ? { key: String(first.key), start: first.start } : null;
  }, [virtualizer, rows]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK_PX;
    rememberAnchor();
    if (el.scrollTop < LOAD_OLDER_PX && hasOlder && !loadingOlder) void useMessages.getState().loadOlder(roomId);
    markReadIfVisible();
  }, [rememberAnchor, hasOlder, loadingOlder, roomId, markReadIfVisible]);

  // After the rows change: keep the anchored message in place (older page added above), or stick to the bottom.
  const lastKey = useRef<string | null>(null);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    // Something I just sent: follow it to the bottom wherever I was.
    const last = messages.at(-1);
    if (last && last.clientId !== lastKey.current && last.authorId === myId && last.delivery === 'pending') {
      atBottom.current = true;
    }
    lastKey.current = last?.clientId ?? null;
    if (atBottom.current) {
      if (rows.length > 0) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
    } else if (anchor.current) {
      const index = keyIndex.get(anchor.current.key);
      const measurement = index === undefined ? undefined : virtualizer.measurementsCache[index];
      if (measurement) {
        const delta = measurement.start - anchor.current.start;
        if (delta !== 0) el.scrollTop += delta;
      }
    }
    rememberAnchor();
  }, [rows]);

  // Items measured taller than estimated grow the list: stay at the bottom if we were there.
  const totalSize = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [totalSize]);

  // The list gets shorter when the composer grows (reply/edit banner, multi-line text): keep the bottom in view.
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    let height = el.clientHeight;
    const observer = new ResizeObserver(() => {
      const delta = height - el.clientHeight;
      height = el.clientHeight;
      if (delta > 0 && atBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    markReadIfVisible();
    document.addEventListener('visibilitychange', markReadIfVisible);
    return () => document.removeEventListener('visibilitychange', markReadIfVisible);
  }, [markReadIfVisible]);

  // A jump from search: bring the message into view.
  useEffect(() => {
    if (!highlight) return;
    const index = keyIndex.get(highlight);
    if (index !== undefined) {
      atBottom.current = false;
      virtualizer.scrollToIndex(index, { align: 'center' });
    }
  }, [highlight, keyIndex, virtualizer]);

  // Near the top with room to spare (short rooms): fetch older without waiting for a scroll.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && hasOlder && !loadingOlder && el.scrollHeight <= el.clientHeight + LOAD_OLDER_PX) {
      void useMessages.getState().loadOlder(roomId);
    }
  }, [hasOlder, loadingOlder, roomId, totalSize]);

  const items = virtualizer.getVirtualItems();

  return (
    <div className="message-scroll" ref={scrollRef} onScroll={onScroll} role="log" aria-label="Messages" tabIndex={0}>
      <div className="message-canvas" style={{ height: totalSize }}>
        <div className="message-top" style={{ height: TOP_PX }}>
          {loadingOlder ? (
            <Spinner label="Loading older messages" />
          ) : !hasOlder && messages.length > 0 ? (
            <p className="room-start">This is the beginning of the conversation.</p>
          ) : null}
        </div>
        {items.map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="message-row"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              {row.kind === 'day' ? (
                <div className="day-separator" role="separator" aria-label={row.label}>
                  <span>{row.label}</span>
                </div>
              ) : (
                <MessageItem
                  message={row.message}
                  showHeader={row.showHeader}
                  myId={myId}
                  myName={myName}
                  highlighted={row.message.clientId === highlight}
                  onReply={onReply}
                  onEdit={onEdit}
                  onDelete={onDelete}
                />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
