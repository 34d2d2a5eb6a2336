import type { AuditFilterValues } from '../../../common/contract.js';

/** The audit filter form as typed: free text, dates as yyyy-mm-dd. */
export interface AuditFilterForm {
  actorId: string;
  targetId: string;
  action: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FORM: AuditFilterForm = { actorId: '', targetId: '', action: '', from: '', to: '' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTION = /^[a-z_.]{1,40}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The form as the query the server takes, or the field that is wrong and why (checked here so a
 * typo is named on its field instead of coming back as a generic validation error). `to` covers
 * its whole day.
 */
export function toAuditQuery(
  form: AuditFilterForm,
): { ok: true; filters: AuditFilterValues } | { ok: false; field: keyof AuditFilterForm; message: string } {
  const filters: AuditFilterValues = {};
  const actorId = form.actorId.trim();
  const targetId = form.targetId.trim();
  const action = form.action.trim().toLowerCase();
  if (actorId) {
    if (!UUID.test(actorId)) return { ok: false, field: 'actorId', message: 'An actor is given by their user id.' };
    filters.actorId = actorId.toLowerCase();
  }
  if (targetId) {
    if (!UUID.test(targetId)) return { ok: false, field: 'targetId', message: 'A target is given by its id.' };
    filters.targetId = targetId.toLowerCase();
  }
  if (action) {
    if (!ACTION.test(action)) {
      return { ok: false, field: 'action', message: 'Actions look like “ban” or “rule.update”.' };
    }
    filters.action = action;
  }
  if (form.from) {
    if (!DAY.test(form.from)) return { ok: false, field: 'from', message: 'Pick a date.' };
    filters.from = new Date(`${form.from}T00:00:00Z`).toISOString();
  }
  if (form.to) {
    if (!DAY.test(form.to)) return { ok: false, field: 'to', message: 'Pick a date.' };
    filters.to = new Date(Date.parse(`${form.to}T00:00:00Z`) + 86_400_000 - 1).toISOString();
  }
  if (filters.from && filters.to && filters.from > filters.to) {
    return { ok: false, field: 'to', message: 'The end is before the start.' };
  }
  return { ok: true, filters };
}
