import { describe, expect, it } from 'vitest';
import type { RoomSummary } from '../../../common/contract.js';
import { roomLabel, sidebarOrder } from './rooms-store.js';

function room(name: string, lastMessageAt: string | null, kind: RoomSummary['kind'] = 'public'): RoomSummary {
  return {
    id: name,
    kind,
    name,
    topic: null,
    myRole: 'member',
    memberCount: 1,
    lastSeq: 0,
    lastReadSeq: 0,
    unreadCount: 0,
    mentionCount: 0,
    dmPeer: kind === 'dm' ? { id: `u-${name}`, username: `peer-${name}` } : null,
    lastMessageAt,
  };
}

describe('sidebarOrder', () => {
  it('lists rooms by recent activity, then direct messages', () => {
    const order = sidebarOrder([
      room('old', '2025-01-01T00:00:00Z'),
      room('dm1', '2025-06-01T00:00:00Z', 'dm'),
      room('new', '2025-05-01T00:00:00Z'),
      room('silent', null),
      room('alpha', null),
    ]);
    expect(order.map((r) => r.id)).toEqual(['new', 'old', 'alpha', 'silent', 'dm1']);
  });

  it('labels direct messages with the peer', () => {
    expect(roomLabel(room('x', null, 'dm'))).toBe('peer-x');
    expect(roomLabel(room('general', null))).toBe('general');
  });
});
