import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, ROLE_PERMISSIONS, isPermission, isRole, roleHasPermission } from './roles.js';

describe('role permission table', () => {
  it('gives admins every permission', () => {
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual([...PERMISSIONS].sort());
  });

  it('only uses known permissions, without duplicates', () => {
    for (const role of ROLES) {
      const granted = ROLE_PERMISSIONS[role];
      expect(granted.every(isPermission), role).toBe(true);
      expect(new Set(granted).size, role).toBe(granted.length);
    }
  });

  it('builds every role on what a listener can do', () => {
    for (const role of ROLES) {
      for (const permission of ROLE_PERMISSIONS.listener)
        expect(roleHasPermission(role, permission), `${role} ${permission}`).toBe(true);
    }
  });

  it.each([
    ['listener', 'tracks:upload', false],
    ['artist', 'tracks:upload', true],
    ['artist', 'moderation:act', false],
    ['moderator', 'moderation:act', true],
    ['moderator', 'users:manage', false],
    ['admin', 'users:manage', true],
  ] as const)('%s has %s: %s', (role, permission, expected) => {
    expect(roleHasPermission(role, permission)).toBe(expected);
  });

  it('recognises roles and permissions from untrusted input', () => {
    expect(isRole('admin')).toBe(true);
    expect(isRole('superuser')).toBe(false);
    expect(isRole(undefined)).toBe(false);
    expect(isPermission('chat:write')).toBe(true);
    expect(isPermission('chat:*')).toBe(false);
  });
});
