import { useState } from 'react';
import { ROLES, type Role } from '@veza/shared/roles';
import type { AdminUserFile } from '../../../common/contract.js';
import { useCan } from '../session/rights.js';
import { formatMessageTime } from '../../lib/format.js';
import { UserFileSummary } from './UserFileSummary.js';
import { useAdminUsers } from './users-store.js';

/** One user's file: standing with lift buttons, role (admins), sessions, notes with an add form. */
export function UserFilePanel({ entry, saving }: { entry: AdminUserFile; saving: boolean }) {
  const canManage = useCan('users:manage');
  const [note, setNote] = useState('');
  const { file, fromCache } = entry;
  const { user } = file;
  const store = useAdminUsers.getState();
  return (
    <article className="user-panel" aria-label={`User ${user.username}`}>
      <header className="report-detail-head">
        <h2>{user.username}</h2>
        {fromCache && <span className="cache-note">Offline: as last seen</span>}
      </header>
      <div className="user-controls">
        {canManage && (
          <label className="field narrow">
            <span>Role</span>
            <select
              className="select"
              value={user.role}
              disabled={saving || fromCache}
              onChange={(e) => void store.changeRole(e.target.value as Role)}
            >
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </select>
          </label>
        )}
        {(user.bannedUntil || user.mutedUntil) && (
          <button type="button" className="button" disabled={saving} onClick={() => void store.lift()}>
            Lift {user.bannedUntil ? 'ban' : 'timeout'}
          </button>
        )}
      </div>
      {user.bannedUntil && <p className="muted small">Banned until {formatMessageTime(user.bannedUntil)}.</p>}
      {user.mutedUntil && <p className="muted small">Timed out until {formatMessageTime(user.mutedUntil)}.</p>}
      {file.roomBans.length > 0 && (
        <>
          <h3 className="pane-title">Room bans</h3>
          <ul className="plain-list">
            {file.roomBans.map((ban) => (
              <li key={ban.roomId}>
                #{ban.roomName} {ban.until ? `until ${formatMessageTime(ban.until)}` : 'until lifted'}{' '}
                <button
                  type="button"
                  className="link-button"
                  disabled={saving}
                  onClick={() => void store.lift(ban.roomId)}
                >
                  Lift
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <UserFileSummary file={file} />
      <form
        className="note-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (note.trim() === '') return;
          void store.addNote(note.trim()).then((ok) => ok && setNote(''));
        }}
      >
        <label className="field">
          <span>Add a note (moderators only)</span>
          <textarea
            className="input textarea"
            maxLength={2000}
            rows={2}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        </label>
        <button type="submit" className="button" disabled={saving || note.trim() === ''}>
          Add note
        </button>
      </form>
      <h3 className="pane-title">Sessions</h3>
      {file.sessions.length === 0 ? (
        <p className="muted small">No open sessions.</p>
      ) : (
        <ul className="plain-list">
          {file.sessions.map((s) => (
            <li key={s.id}>
              Signed in {formatMessageTime(s.createdAt)}
              {s.lastUsedAt && <span className="muted"> · last used {formatMessageTime(s.lastUsedAt)}</span>}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
