import type { ModerationUserFile } from '../../../common/contract.js';
import { formatMessageTime } from '../../lib/format.js';

/** A user's record as the queue's detail pane shows it: standing, past actions, notes, recent messages. */
export function UserFileSummary({ file }: { file: ModerationUserFile }) {
  const { user } = file;
  return (
    <div className="user-file">
      <dl className="facts">
        <div>
          <dt>Role</dt>
          <dd>{user.role}</dd>
        </div>
        <div>
          <dt>Joined</dt>
          <dd>{formatMessageTime(user.createdAt)}</dd>
        </div>
        <div>
          <dt>Reports against</dt>
          <dd>{file.reportsAgainst}</dd>
        </div>
        <div>
          <dt>Standing</dt>
          <dd>
            {user.bannedUntil ? (
              <span className="chip danger">Banned</span>
            ) : user.mutedUntil ? (
              <span className="chip warn">Timed out</span>
            ) : (
              'Good'
            )}
          </dd>
        </div>
      </dl>
      <h3 className="pane-title">Past actions</h3>
      {file.actions.length === 0 ? (
        <p className="muted small">None.</p>
      ) : (
        <ul className="plain-list">
          {file.actions.map((a) => (
            <li key={a.id}>
              <strong>{a.action}</strong> by {a.actor?.username ?? 'automod'} · {formatMessageTime(a.createdAt)}
              {a.reason && <span className="muted"> — {a.reason}</span>}
            </li>
          ))}
        </ul>
      )}
      <h3 className="pane-title">Notes</h3>
      {file.notes.length === 0 ? (
        <p className="muted small">No notes.</p>
      ) : (
        <ul className="plain-list">
          {file.notes.map((n) => (
            <li key={n.id}>
              {n.body}{' '}
              <span className="muted">
                — {n.author.username}, {formatMessageTime(n.createdAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3 className="pane-title">Recent messages</h3>
      {file.recentMessages.length === 0 ? (
        <p className="muted small">None.</p>
      ) : (
        <ul className="plain-list">
          {file.recentMessages.slice(0, 10).map((m) => (
            <li key={m.id}>
              <span className="muted">{formatMessageTime(m.createdAt)}</span> {m.deletedAt ? '(deleted)' : m.body}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
