/**
 * What the signed-in user may do, from the same permission table the server enforces. The UI only
 * hides what would be refused anyway; components ask for a permission, never compare role names.
 * The `roles` entry point, not the package root: the root would bundle every TypeBox schema.
 */
import { type Permission, roleHasPermission } from '@veza/shared/roles';
import type { SessionState } from '../../../common/contract.js';
import { useSession } from './session-store.js';

export function can(session: SessionState | null, permission: Permission): boolean {
  return session?.status === 'signed-in' && roleHasPermission(session.user.role, permission);
}

export function useCan(permission: Permission): boolean {
  return useSession((s) => can(s.session, permission));
}
