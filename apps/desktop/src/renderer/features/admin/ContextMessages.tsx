import type { Message } from '@veza/shared';
import { formatMessageTime } from '../../lib/format.js';

/** Messages around the reported one, oldest first, the reported one marked. Plain text only. */
export function ContextMessages({
  before,
  reported,
  after,
}: {
  before: readonly Message[];
  reported: Message | null;
  after: readonly Message[];
}) {
  const rows = [...before, ...(reported ? [reported] : []), ...after];
  if (rows.length === 0) return <p className="muted small">No surrounding messages.</p>;
  return (
    <ol className="context-messages">
      {rows.map((m) => (
        <li key={m.id} className={m.id === reported?.id ? 'reported' : undefined}>
          <span className="context-author">{m.authorUsername}</span>
          <span className="context-time">{formatMessageTime(m.createdAt)}</span>
          <p className="context-body">{m.deletedAt ? <em className="muted">Message deleted</em> : m.body}</p>
        </li>
      ))}
    </ol>
  );
}
