import type { RuleField } from './rule-draft.js';

export type FieldError = { field: RuleField; message: string } | null;

export function errorProps(error: FieldError, field: RuleField) {
  return error?.field === field ? { 'aria-invalid': true as const, 'aria-describedby': `rule-error-${field}` } : {};
}

/** A validation message under its field, tied to the input by aria-describedby. */
export function ErrorText({ error, field }: { error: FieldError; field: RuleField }) {
  if (error?.field !== field) return null;
  return (
    <span id={`rule-error-${field}`} className="field-error" role="alert">
      {error.message}
    </span>
  );
}
