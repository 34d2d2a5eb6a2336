import { useEffect } from 'react';
import { useCan } from '../session/rights.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { Spinner } from '../../ui/Spinner.js';
import { bodyOf, emptyRule, KIND_LABELS } from './rule-draft.js';
import { RuleForm } from './RuleForm.js';
import { RuleTester } from './RuleTester.js';
import { useRules } from './rules-store.js';

/** Rules: the list, the form for the chosen one, and the tester (against all enabled rules when none is open). */
export function RulesEditor() {
  const rules = useRules((s) => s.rules);
  const loaded = useRules((s) => s.loaded);
  const loadError = useRules((s) => s.loadError);
  const fromCache = useRules((s) => s.fromCache);
  const editing = useRules((s) => s.editing);
  const saving = useRules((s) => s.saving);
  const serverError = useRules((s) => s.serverError);
  const canEdit = useCan('moderation:act');
  const current = editing && editing !== 'new' ? (rules.find((r) => r.id === editing) ?? null) : null;

  useEffect(() => {
    void useRules.getState().load();
  }, []);

  return (
    <div className="reports-queue">
      <div className="report-list-pane">
        <div className="pane-head">
          <span className="pane-title">{rules.length} rules</span>
          {canEdit && (
            <button
              type="button"
              className="button small"
              disabled={fromCache}
              onClick={() => useRules.getState().edit('new')}
            >
              <Icon name="plus" size={14} /> New rule
            </button>
          )}
        </div>
        {fromCache && <p className="cache-note">Offline: rules as last seen (read only).</p>}
        {!loaded ? (
          <Spinner label="Loading rules" />
        ) : loadError ? (
          <p className="form-error">{loadError}</p>
        ) : (
          <ul className="report-list" aria-label="Rules">
            {rules.map((rule) => (
              <li key={rule.id}>
                <button
                  type="button"
                  className={`report-item${rule.id === editing ? ' active' : ''}`}
                  aria-current={rule.id === editing ? 'true' : undefined}
                  onClick={() => useRules.getState().edit(rule.id)}
                >
                  <span className="report-item-top">
                    <span className="report-subject">{rule.name}</span>
                    <span className={`chip action-${rule.action}`}>{rule.action}</span>
                  </span>
                  <span className="report-excerpt">
                    {KIND_LABELS[rule.config.kind]} · {rule.roomId ? 'one room' : 'everywhere'}
                    {!rule.enabled && ' · off'}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="report-detail-pane">
        {editing === 'new' || current ? (
          <RuleForm
            key={editing}
            initial={current ? bodyOf(current) : emptyRule()}
            isNew={editing === 'new'}
            saving={saving}
            serverError={serverError}
            onSave={(body) => void useRules.getState().save(body)}
            onDelete={() => current && void useRules.getState().remove(current.id)}
            onCancel={() => useRules.getState().edit(null)}
          />
        ) : (
          <>
            {rules.length === 0 && loaded && (
              <EmptyState icon={<Icon name="alert" size={36} />} title="No rules yet">
                <p>Rules check every message before it is delivered.</p>
              </EmptyState>
            )}
            <RuleTester draft={null} />
          </>
        )}
      </div>
    </div>
  );
}
