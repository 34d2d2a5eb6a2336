import type { Role } from '@veza/shared/roles';
import { describe, expect, it } from 'vitest';
import type { SessionState } from '../../../common/contract.js';
import { can } from './rights.js';

function signedInAs(role: Role): SessionState {
  return {
    status: 'signed-in',
    serverUrl: 'http://veza.test',
    user: { id: 'u1', email: 'u1@example.test', username: 'u1', role, createdAt: '2026-12-07T00:00:00.000Z' },
  };
}

describe('rights', () => {
  it.each([
    ['listener', false],
    ['artist', true],
    ['moderator', false],
    ['admin', true],
  ] as const)('lets a %s upload tracks: %s', (role, expected) => {
    expect(can(signedInAs(role), 'tracks:upload')).toBe(expected);
  });

  it('grants nothing before sign-in or after sign-out', () => {
    expect(can(null, 'chat:read')).toBe(false);
    expect(can({ status: 'signed-out', serverUrl: 'http://veza.test' }, 'chat:read')).toBe(false);
  });
});
