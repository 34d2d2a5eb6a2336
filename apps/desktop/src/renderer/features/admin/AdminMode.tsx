import { useCan } from '../session/rights.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { useAdmin, type AdminTab } from './admin-store.js';
import { AuditLog } from './AuditLog.js';
import { PendingActionsBar } from './PendingActionsBar.js';
import { ReportsQueue } from './ReportsQueue.js';
import { RulesEditor } from './RulesEditor.js';
import { UsersPanel } from './UsersPanel.js';

const TABS: { id: AdminTab; label: string }[] = [
  { id: 'reports', label: 'Reports' },
  { id: 'users', label: 'Users' },
  { id: 'rules', label: 'Rules' },
  { id: 'audit', label: 'Audit log' },
];

/** Admin mode: moderators' and admins' screens, in tabs. The server checks every request again. */
export function AdminMode() {
  const allowed = useCan('moderation:view');
  const tab = useAdmin((s) => s.tab);
  if (!allowed) {
    return (
      <section className="view">
        <EmptyState title="Admin mode is for moderators">
          <p>Your account cannot see the moderation screens.</p>
        </EmptyState>
      </section>
    );
  }
  return (
    <section className="view admin-mode" aria-labelledby="admin-title">
      <header className="view-header">
        <h1 id="admin-title">Moderation</h1>
      </header>
      <div className="tabs" role="tablist" aria-label="Admin sections">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => useAdmin.getState().setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <PendingActionsBar />
      <div className="admin-body" role="tabpanel">
        {tab === 'reports' && <ReportsQueue />}
        {tab === 'users' && <UsersPanel />}
        {tab === 'rules' && <RulesEditor />}
        {tab === 'audit' && <AuditLog />}
      </div>
    </section>
  );
}
