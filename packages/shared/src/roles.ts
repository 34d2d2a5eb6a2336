/**
 * Global roles and what each may do. The server checks a route's declared permission
 * against this table; clients use it only to decide what to show.
 */
export const ROLES = ['listener', 'artist', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'profile:read',
  'api_keys:manage',
  'chat:read',
  'chat:write',
  'tracks:play',
  'tracks:upload',
  /** Edit or delete anyone's tracks (owners manage their own with tracks:upload). */
  'tracks:manage',
  'live:broadcast',
  'moderation:view',
  'moderation:act',
  'analytics:view',
  'users:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const LISTENER: readonly Permission[] = ['profile:read', 'api_keys:manage', 'chat:read', 'chat:write', 'tracks:play'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  listener: LISTENER,
  artist: [...LISTENER, 'tracks:upload', 'live:broadcast'],
  moderator: [...LISTENER, 'moderation:view', 'moderation:act', 'analytics:view'],
  admin: PERMISSIONS,
};

export function roleHasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}
