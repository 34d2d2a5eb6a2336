import { Spinner } from '../../ui/Spinner.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { UserFilePanel } from './UserFilePanel.js';
import { useAdminUsers } from './users-store.js';

/** Users: search by username prefix, then the chosen user's file. */
export function UsersPanel() {
  const query = useAdminUsers((s) => s.query);
  const results = useAdminUsers((s) => s.results);
  const fromCache = useAdminUsers((s) => s.fromCache);
  const searching = useAdminUsers((s) => s.searching);
  const selectedId = useAdminUsers((s) => s.selectedId);
  const file = useAdminUsers((s) => s.file);
  const fileError = useAdminUsers((s) => s.fileError);
  const saving = useAdminUsers((s) => s.saving);
  return (
    <div className="reports-queue">
      <div className="report-list-pane">
        <label className="field user-search">
          <span className="sr-only">Search users</span>
          <input
            className="input"
            type="search"
            placeholder="Search by username"
            value={query}
            maxLength={40}
            onChange={(e) => void useAdminUsers.getState().search(e.target.value)}
          />
        </label>
        {fromCache && <p className="cache-note">Offline: users seen on this device.</p>}
        {searching && results.length === 0 ? (
          <Spinner label="Searching" />
        ) : (
          <ul className="report-list" aria-label="Users">
            {results.map((user) => (
              <li key={user.id}>
                <button
                  type="button"
                  className={`report-item${user.id === selectedId ? ' active' : ''}`}
                  aria-current={user.id === selectedId ? 'true' : undefined}
                  onClick={() => void useAdminUsers.getState().open(user.id)}
                >
                  <span className="report-item-top">
                    <span className="report-subject">{user.username}</span>
                    <span className="report-time">{user.role}</span>
                  </span>
                  <span className="report-tags">
                    {user.bannedUntil && <span className="chip danger">Banned</span>}
                    {user.mutedUntil && <span className="chip warn">Timed out</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {query.trim() !== '' && !searching && results.length === 0 && <p className="muted small">No users found.</p>}
      </div>
      <div className="report-detail-pane">
        {selectedId === null ? (
          <EmptyState icon={<Icon name="users" size={36} />} title="Find a user">
            <p>Type the start of a username.</p>
          </EmptyState>
        ) : fileError ? (
          <p className="form-error">{fileError}</p>
        ) : file === null ? (
          <Spinner label="Loading the user" />
        ) : (
          <UserFilePanel entry={file} saving={saving} />
        )}
      </div>
    </div>
  );
}
