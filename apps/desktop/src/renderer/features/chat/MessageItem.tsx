import { memo, useState } from 'react';
import type { ChatMessage } from '../../../common/contract.js';
import { formatMessageTime } from '../../lib/format.js';
import { useConnection } from '../connection/connection-store.js';
import { useMessages } from './messages-store.js';
import { usePresenceOf } from './presence-store.js';
import { useRooms } from './rooms-store.js';
import { Avatar } from '../../ui/Avatar.js';
import { Icon } from '../../ui/icons.js';
import { EmojiPicker } from './EmojiPicker.js';
import { MarkdownBody } from './MarkdownBody.js';
import { useModeration } from '../moderation/moderation-store.js';

interface Props {
  message: ChatMessage;
  showHeader: boolean;
  myId: string | null;
  myName: string | null;
  highlighted: boolean;
  onReply(message: ChatMessage): void;
  onEdit(message: ChatMessage): void;
  onDelete(message: ChatMessage): void;
}

export const MessageItem = memo(function MessageItem({
  message,
  showHeader,
  myId,
  myName,
  highlighted,
  onReply,
  onEdit,
  onDelete,
}: Props) {
  const [picking, setPicking] = useState(false);
  const online = usePresenceOf(message.authorId);
  // Only pending messages care whether they wait for the network or are on their way. A retry
  // in progress ('connecting') has not reached the server yet: the message still waits.
  const offline = useConnection(
    (s) =>
      message.delivery === 'pending' && (s.connection.status === 'offline' || s.connection.status === 'connecting'),
  );
  const mine = message.authorId === myId;
  const deleted = message.deletedAt !== null;
  const sent = message.delivery === 'sent' && message.id !== null;
  const { react, retry, discard } = useMessages.getState();
  const classes = [
    'message',
    showHeader ? 'with-header' : 'grouped',
    message.mentionsMe && !deleted ? 'mentions-me' : '',
    message.delivery !== 'sent' ? message.delivery : '',
    highlighted ? 'highlighted' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const time = formatMessageTime(message.createdAt);

  return (
    <article
      className={classes}
      data-testid="message"
      data-delivery={message.delivery}
      data-client-id={message.clientId}
      aria-label={`${message.authorUsername}, ${time}`}
    >
      <div className="message-gutter">
        {showHeader ? (
          <Avatar name={message.authorUsername} online={online} />
        ) : (
          <time className="hover-time" dateTime={message.createdAt}>
            {time}
          </time>
        )}
      </div>
      <div className="message-main">
        {showHeader && (
          <header className="message-header">
            {mine ? (
              <span className="author">{message.authorUsername}</span>
            ) : (
              <button
                type="button"
                className="author link-like"
                title={`Message ${message.authorUsername} directly`}
                onClick={() => void useRooms.getState().openDirectMessage(message.authorId)}
              >
                {message.authorUsername}
              </button>
            )}
            <time dateTime={message.createdAt} title={new Date(message.createdAt).toLocaleString()}>
              {time}
            </time>
          </header>
        )}
        {message.replyTo && !deleted && (
          <div className="reply-quote">
            <Icon name="reply" size={14} />
            <span className="reply-author">@{message.replyTo.authorUsername}</span>
            <span className="reply-excerpt">{message.replyTo.excerpt}</span>
          </div>
        )}
        <div className="message-body" data-testid="message-body">
          {deleted ? (
            <span className="tombstone">message deleted</span>
          ) : (
            <MarkdownBody body={message.body} me={myName} />
          )}
          {message.editedAt && !deleted && (
            <span className="edited" title={`Edited ${new Date(message.editedAt).toLocaleString()}`}>
              (edited)
            </span>
          )}
        </div>
        {message.delivery === 'pending' && (
          <div
            className={offline ? 'delivery pending queued' : 'delivery pending'}
            title={message.deliveryError ?? undefined}
          >
            <Icon name="clock" size={13} /> {offline ? 'Queued — sends when you’re back online' : 'Sending…'}
          </div>
        )}
        {message.delivery === 'held' && (
          <div className="delivery held" data-testid="held-notice">
            <Icon name="shield" size={13} />
            <span>
              Held for review{message.deliveryError ? `: ${message.deliveryError}` : ''} — only you can see it until a
              moderator approves it.
            </span>
          </div>
        )}
        {message.delivery === 'failed' && (
          <div className="delivery failed">
            <Icon name="alert" size={13} />
            <span title={message.deliveryError ?? undefined}>
              Not sent{message.deliveryError ? `: ${message.deliveryError}` : ''} —
            </span>
            <button type="button" className="link-button" onClick={() => void retry(message.clientId)}>
              Retry
            </button>
            <span aria-hidden="true">/</span>
            <button
              type="button"
              className="link-button"
              onClick={() => void discard(message.roomId, message.clientId)}
            >
              Discard
            </button>
          </div>
        )}
        {message.reactions.length > 0 && !deleted && (
          <div className="reactions">
            {message.reactions.map((r) => (
              <button
                key={r.emoji}
                type="button"
                className={r.byMe ? 'reaction mine' : 'reaction'}
                aria-pressed={r.byMe}
                aria-label={`${r.emoji} ${r.userIds.length}`}
                disabled={!sent}
                onClick={() => void react(message, r.emoji)}
              >
                <span className="reaction-emoji">{r.emoji}</span>
                <span className="reaction-count">{r.userIds.length}</span>
              </button>
            ))}
          </div>
        )}
      </div>
      {sent && !deleted && (
        <div className={picking ? 'message-actions open' : 'message-actions'}>
          <button
            type="button"
            className="icon-button small"
            aria-label="Reply"
            title="Reply"
            onClick={() => onReply(message)}
          >
            <Icon name="reply" size={16} />
          </button>
          <button
            type="button"
            className="icon-button small"
            aria-label="Add reaction"
            title="Add reaction"
            aria-expanded={picking}
            onClick={() => setPicking((p) => !p)}
          >
            <Icon name="smile" size={16} />
          </button>
          {!mine && (
            <button
              type="button"
              className="icon-button small"
              aria-label="Report message"
              title="Report message"
              onClick={() =>
                useModeration.getState().openReport({
                  target: { type: 'message', messageId: message.id! },
                  label: `the message by ${message.authorUsername}`,
                })
              }
            >
              <Icon name="flag" size={16} />
            </button>
          )}
          {mine && (
            <>
              <button
                type="button"
                className="icon-button small"
                aria-label="Edit"
                title="Edit"
                onClick={() => onEdit(message)}
              >
                <Icon name="edit" size={16} />
              </button>
              <button
                type="button"
                className="icon-button small danger"
                aria-label="Delete"
                title="Delete"
                onClick={() => onDelete(message)}
              >
                <Icon name="trash" size={16} />
              </button>
            </>
          )}
          {picking && <EmojiPicker onPick={(emoji) => void react(message, emoji)} onClose={() => setPicking(false)} />}
        </div>
      )}
    </article>
  );
});
