/**
 * What the signed-in user may do, from the same permission table the server enforces. The UI only
 * hides what would be refused anyway; components ask for a permission, never compare role names.
 * The `roles` entry point, not the package root: the root would bundle every TypeBox schema.
 */
import { type Permission, roleHasPermission } from '@veza/shared/roles';
import { useSession } from './session-store.js';

export function useCan(permission: Permission): boolean {
  return useSession((s) => s.session?.status === 'signed-in' && roleHasPermission(s.session.user.role, permission));
}
