/** The admin mode, as the rest of the renderer sees it: the screen, its core events, and its reset. */
import type { ModerationEvent } from '../../../common/contract.js';
import { useAdmin } from './admin-store.js';
import { useAudit } from './audit-store.js';
import { useReports } from './reports-store.js';
import { useRules } from './rules-store.js';
import { useAdminUsers } from './users-store.js';

export { AdminMode } from './AdminMode.js';

export function dispatchAdminEvent(event: ModerationEvent): void {
  switch (event.type) {
    case 'moderation.queue.changed':
      if (useReports.getState().loaded) void useReports.getState().load();
      break;
    case 'moderation.actions.changed':
      useReports.getState().setPending(event.pending);
      break;
  }
}

/** Forgets the previous moderator's screens. */
export function resetAdmin(): void {
  useAdmin.getState().reset();
  useReports.getState().reset();
  useAdminUsers.getState().reset();
  useRules.getState().reset();
  useAudit.getState().reset();
}
