import { useState } from 'react';
import { ROLES } from '@veza/shared/roles';
import type { ModerationRuleBody } from '../../../common/contract.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { checkDraft, defaultConfig, KIND_LABELS, type RuleKind } from './rule-draft.js';
import { RuleConfigFields } from './RuleConfigFields.js';
import { ErrorText, errorProps, type FieldError } from './RuleFieldError.js';
import { RuleTester } from './RuleTester.js';
import { useRules } from './rules-store.js';

const ACTIONS: { id: ModerationRuleBody['action']; label: string }[] = [
  { id: 'flag', label: 'Flag for review (delivered)' },
  { id: 'hold', label: 'Hold until approved' },
  { id: 'block', label: 'Block with the reason' },
  { id: 'timeout', label: 'Block and time out' },
  { id: 'ban', label: 'Ban the author' },
];

/** The exemption list without one entry (a list edit, not a permission check). */
function without<T>(list: readonly T[], entry: T): T[] {
  return list.filter((item) => !Object.is(item, entry));
}

/** Create or edit one rule; the engine's checks run as the moderator types, the server's on save. */
export function RuleForm({
  initial,
  isNew,
  saving,
  serverError,
  onSave,
  onDelete,
  onCancel,
}: {
  initial: ModerationRuleBody;
  isNew: boolean;
  saving: boolean;
  serverError: FieldError;
  onSave(body: ModerationRuleBody): void;
  onDelete(): void;
  onCancel(): void;
}) {
  const [rule, setRule] = useState(initial);
  const [touched, setTouched] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const local = checkDraft(rule);
  // The server's refusal stays until the rule changes; the local check shows once the form is touched.
  const error: FieldError = serverError ?? (touched ? local : null);
  const update = (patch: Partial<ModerationRuleBody>): void => {
    setTouched(true);
    setRule({ ...rule, ...patch });
    if (serverError) useRules.setState({ serverError: null });
  };
  return (
    <div className="rule-form-wrap">
      <form
        className="rule-form"
        aria-label={isNew ? 'New rule' : `Rule ${initial.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (!local) onSave(rule);
        }}
      >
        <div className="field-row">
          <label className="field grow">
            <span>Name</span>
            <input
              className="input"
              maxLength={100}
              value={rule.name}
              {...errorProps(error, 'name')}
              onChange={(e) => update({ name: e.target.value })}
            />
            <ErrorText error={error} field="name" />
          </label>
          <label className="field narrow">
            <span>Kind</span>
            <select
              className="select"
              value={rule.config.kind}
              onChange={(e) => update({ config: defaultConfig(e.target.value as RuleKind) })}
            >
              {(Object.keys(KIND_LABELS) as RuleKind[]).map((kind) => (
                <option key={kind} value={kind}>
                  {KIND_LABELS[kind]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <RuleConfigFields
          key={rule.config.kind}
          config={rule.config}
          error={error}
          onChange={(config) => update({ config })}
        />
        <div className="field-row">
          <label className="field narrow">
            <span>When it fires</span>
            <select
              className="select"
              value={rule.action}
              onChange={(e) => {
                const action = e.target.value as ModerationRuleBody['action'];
                update({ action, timeoutSeconds: action === 'timeout' ? (rule.timeoutSeconds ?? 600) : null });
              }}
            >
              {ACTIONS.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label}
                </option>
              ))}
            </select>
          </label>
          {rule.action === 'timeout' && (
            <label className="field narrow">
              <span>Timeout (minutes)</span>
              <input
                className="input"
                type="number"
                min={1}
                max={40_320}
                value={Math.round((rule.timeoutSeconds ?? 600) / 60)}
                {...errorProps(error, 'timeoutSeconds')}
                onChange={(e) => update({ timeoutSeconds: Math.max(60, Math.round(Number(e.target.value) * 60)) })}
              />
              <ErrorText error={error} field="timeoutSeconds" />
            </label>
          )}
        </div>
        <label className="field">
          <span>Reason shown to the sender</span>
          <input
            className="input"
            maxLength={200}
            value={rule.reason}
            {...errorProps(error, 'reason')}
            onChange={(e) => update({ reason: e.target.value })}
          />
          <ErrorText error={error} field="reason" />
        </label>
        <fieldset className="field">
          <legend>Never applies to</legend>
          <div className="check-inline">
            {ROLES.map((role) => (
              <label key={role} className="check-row">
                <input
                  type="checkbox"
                  checked={rule.exemptRoles.includes(role)}
                  onChange={(e) =>
                    update({
                      exemptRoles: e.target.checked ? [...rule.exemptRoles, role] : without(rule.exemptRoles, role),
                    })
                  }
                />
                {role}s
              </label>
            ))}
          </div>
        </fieldset>
        <label className="check-row">
          <input type="checkbox" checked={rule.enabled} onChange={(e) => update({ enabled: e.target.checked })} />
          Enabled
        </label>
        <ErrorText error={error} field="config" />
        <div className="form-actions">
          {!isNew && (
            <button type="button" className="button danger" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          )}
          <span className="grow" />
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={saving}>
            {saving ? 'Saving…' : isNew ? 'Create rule' : 'Save rule'}
          </button>
        </div>
      </form>
      <RuleTester draft={local ? null : rule} />
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete “${initial.name}”?`}
        onClose={() => setConfirmDelete(false)}
        choices={[{ label: 'Delete rule', tone: 'danger', onChoose: onDelete }]}
      >
        <p>Messages are no longer checked against it, on the server and in every app.</p>
      </ConfirmDialog>
    </div>
  );
}
