import { useEffect, useState } from 'react';
import { formatMessageTime } from '../../lib/format.js';
import { Spinner } from '../../ui/Spinner.js';
import { EMPTY_AUDIT_FORM, toAuditQuery, type AuditFilterForm } from './audit-filters.js';
import { useAudit } from './audit-store.js';

const FIELDS: { key: keyof AuditFilterForm; label: string; type: string; placeholder?: string }[] = [
  { key: 'action', label: 'Action', type: 'text', placeholder: 'ban, rule.update…' },
  { key: 'actorId', label: 'Actor id', type: 'text' },
  { key: 'targetId', label: 'Target id', type: 'text' },
  { key: 'from', label: 'From', type: 'date' },
  { key: 'to', label: 'To', type: 'date' },
];

/** The audit log: filters, pages (newest first, as the server gives them) and CSV export. */
export function AuditLog() {
  const entries = useAudit((s) => s.entries);
  const loading = useAudit((s) => s.loading);
  const error = useAudit((s) => s.error);
  const fromCache = useAudit((s) => s.fromCache);
  const nextCursor = useAudit((s) => s.nextCursor);
  const hasPrevious = useAudit((s) => s.back.length > 0);
  const exporting = useAudit((s) => s.exporting);
  const [form, setForm] = useState<AuditFilterForm>(EMPTY_AUDIT_FORM);
  const [invalid, setInvalid] = useState<{ field: keyof AuditFilterForm; message: string } | null>(null);

  useEffect(() => {
    void useAudit.getState().apply({});
  }, []);

  return (
    <div className="admin-page">
      <form
        className="audit-filters"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          const query = toAuditQuery(form);
          if (!query.ok) {
            setInvalid({ field: query.field, message: query.message });
            return;
          }
          setInvalid(null);
          void useAudit.getState().apply(query.filters);
        }}
      >
        {FIELDS.map((f) => (
          <label key={f.key} className="field">
            <span>{f.label}</span>
            <input
              className="input"
              type={f.type}
              placeholder={f.placeholder}
              value={form[f.key]}
              aria-invalid={invalid?.field === f.key ? true : undefined}
              aria-describedby={invalid?.field === f.key ? 'audit-filter-error' : undefined}
              onChange={(e) => setForm({ ...form, [f.key]: e.target.value })}
            />
          </label>
        ))}
        <div className="audit-filter-actions">
          <button type="submit" className="button primary">
            Filter
          </button>
          <button
            type="button"
            className="button"
            disabled={exporting}
            onClick={() => void useAudit.getState().exportCsv()}
          >
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
      </form>
      {invalid && (
        <p id="audit-filter-error" className="form-error" role="alert">
          {invalid.message}
        </p>
      )}
      {fromCache && <p className="cache-note">Offline: this page as last seen.</p>}
      {error && <p className="form-error">{error}</p>}
      <div className="table-wrap">
        <table className="data-table" aria-label="Audit log" aria-busy={loading}>
          <thead>
            <tr>
              <th>When</th>
              <th>Action</th>
              <th>By</th>
              <th>Target</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td className="nowrap">{formatMessageTime(entry.createdAt)}</td>
                <td>
                  <span className="chip">{entry.action}</span>
                </td>
                <td>{entry.actor?.username ?? 'automod'}</td>
                <td>
                  {entry.target.label ?? entry.target.id} <span className="muted">({entry.target.type})</span>
                </td>
                <td>{entry.reason ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {loading && entries.length === 0 && <Spinner label="Loading the audit log" />}
        {!loading && entries.length === 0 && !error && <p className="muted small">No entries.</p>}
      </div>
      <div className="pager">
        <button
          type="button"
          className="button"
          disabled={!hasPrevious || loading}
          onClick={() => void useAudit.getState().previous()}
        >
          Previous
        </button>
        <button
          type="button"
          className="button"
          disabled={!nextCursor || loading}
          onClick={() => void useAudit.getState().next()}
        >
          Next
        </button>
      </div>
    </div>
  );
}
