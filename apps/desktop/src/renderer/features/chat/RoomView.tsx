import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ChatMessage } from '../../../common/contract.js';
import { typingText } from './messages-logic.js';
import { useConnection } from '../connection/connection-store.js';
import { useMessages } from './messages-store.js';
import { usePresenceOf } from './presence-store.js';
import { roomLabel, useRooms } from './rooms-store.js';
import { useSession } from '../session/session-store.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { Spinner } from '../../ui/Spinner.js';
import { Composer, type ComposerMode } from './Composer.js';
import { useModeration } from '../moderation/moderation-store.js';
import { Icon } from '../../ui/icons.js';
import { MessageList } from './MessageList.js';

const EMPTY: ChatMessage[] = [];

export function RoomView({ roomId }: { roomId: string }) {
  const room = useRooms((s) => s.rooms.find((r) => r.id === roomId));
  const loaded = useMessages((s) => s.rooms[roomId]);
  const typingMap = useMessages((s) => s.typing[roomId]);
  const connected = useConnection((s) => s.connection.status === 'online');
  const session = useSession((s) => s.session);
  const me = session?.status === 'signed-in' ? session.user : null;
  const peerOnline = usePresenceOf(room?.dmPeer?.id);
  const [mode, setMode] = useState<ComposerMode>(null);
  const [deleting, setDeleting] = useState<ChatMessage | null>(null);

  useEffect(() => {
    void useMessages.getState().load(roomId);
  }, [roomId]);

  const onReply = useCallback((message: ChatMessage) => setMode({ kind: 'reply', message }), []);
  const onEdit = useCallback((message: ChatMessage) => setMode({ kind: 'edit', message }), []);
  const onDelete = useCallback((message: ChatMessage) => setDeleting(message), []);

  const typingNames = useMemo(
    () => (connected ? Object.values(typingMap ?? {}).map((t) => t.username) : []),
    [typingMap, connected],
  );

  if (!room) {
    return (
      <div className="view">
        <EmptyState title="Room not found">
          <p>You may have left this room. Pick another one on the left.</p>
        </EmptyState>
      </div>
    );
  }

  const label = roomLabel(room);
  const messages = loaded?.messages ?? EMPTY;
  const isMember = room.myRole !== null || room.kind === 'dm';

  return (
    <section className="view room-view" aria-label={label}>
      <header className="view-header room-header">
        <div className="room-title">
          <h1>
            {room.kind === 'dm' ? (
              <span className={peerOnline ? 'presence-inline online' : 'presence-inline'} aria-hidden="true" />
            ) : (
              <Icon name="hash" size={20} className="muted-icon" />
            )}
            {label}
          </h1>
          {room.topic && <p className="room-topic">{room.topic}</p>}
        </div>
        <div className="room-meta">
          {room.kind !== 'dm' && (
            <span className="member-count" title="Members">
              <Icon name="users" size={16} />
              {room.memberCount} {room.memberCount === 1 ? 'member' : 'members'}
            </span>
          )}
          {room.kind === 'dm' && room.dmPeer && (
            <button
              type="button"
              className="button ghost small"
              onClick={() =>
                useModeration.getState().openReport({
                  target: { type: 'user', userId: room.dmPeer!.id },
                  label: room.dmPeer!.username,
                })
              }
            >
              <Icon name="flag" size={14} /> Report {room.dmPeer.username}
            </button>
          )}
          {room.kind !== 'dm' && isMember && (
            <button
              type="button"
              className="button ghost small"
              onClick={() => void useRooms.getState().leave(room.id)}
            >
              Leave room
            </button>
          )}
        </div>
      </header>
      <div className="room-body">
        {loaded?.loading && messages.length === 0 ? (
          <div className="center-fill">
            <Spinner label="Loading messages" />
          </div>
        ) : loaded?.error && messages.length === 0 ? (
          <EmptyState title="Messages could not be loaded">
            <p>{loaded.error}</p>
            <button type="button" className="button" onClick={() => void useMessages.getState().load(roomId)}>
              Try again
            </button>
          </EmptyState>
        ) : messages.length === 0 ? (
          <>
            <div role="log" aria-label="Messages" className="message-scroll empty">
              <EmptyState icon={<Icon name="hash" size={36} />} title={`Welcome to ${label}`}>
                <p>No messages yet. Say hello — your message is kept on this computer until it is delivered.</p>
              </EmptyState>
            </div>
          </>
        ) : (
          <MessageList
            roomId={roomId}
            messages={messages}
            hasOlder={loaded?.hasOlder ?? false}
            loadingOlder={loaded?.loadingOlder ?? false}
            lastReadSeq={room.lastReadSeq}
            myId={me?.id ?? null}
            myName={me?.username ?? null}
            onReply={onReply}
            onEdit={onEdit}
            onDelete={onDelete}
          />
        )}
      </div>
      <div className="typing" aria-live="polite">
        {typingNames.length > 0 && (
          <>
            <span className="typing-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            <span className="typing-text">{typingText(typingNames)}</span>
          </>
        )}
      </div>
      <Composer
        roomId={roomId}
        roomName={room.kind === 'dm' ? `@${label}` : `#${label}`}
        myId={me?.id ?? null}
        messages={messages}
        mode={mode}
        setMode={setMode}
        disabledReason={isMember ? null : 'You are not a member of this room. Join it to send messages.'}
        onJoin={isMember ? undefined : () => void useRooms.getState().join(room.id)}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this message?"
        onClose={() => setDeleting(null)}
        choices={[
          {
            label: 'Delete message',
            tone: 'danger',
            onChoose: () => {
              if (deleting?.id) void useMessages.getState().remove(deleting.id);
            },
          },
        ]}
      >
        <p className="muted">Everyone in the room will see “message deleted” instead. This cannot be undone.</p>
        {deleting && <blockquote className="quote-preview">{deleting.body.slice(0, 300)}</blockquote>}
      </ConfirmDialog>
    </section>
  );
}
