import type { Role, RoomRole } from '@veza/shared';
import { AppError, forbidden } from '../../infra/errors.js';

/*
 * Who may act on whom. Nobody acts on themselves. A moderator acts on listeners and artists,
 * never on another moderator or an admin; an admin acts on moderators too, never on another
 * admin (admins settle their disagreements outside the tool). Room owners and room moderators
 * act only in their room, only on people without a global moderation role, and a room
 * moderator never on the room's owners or other room moderators.
 */

const GLOBAL_RANK: Record<Role, number> = { listener: 0, artist: 0, moderator: 1, admin: 2 };

export function checkGlobalRank(actor: { id: string; role: Role }, target: { id: string; role: Role }): void {
  if (actor.id === target.id) throw new AppError(400, 'BAD_REQUEST', 'You cannot act on yourself.');
  if (target.role === 'admin') throw forbidden('Nobody can act on an admin.');
  if (GLOBAL_RANK[target.role] >= GLOBAL_RANK[actor.role])
    throw forbidden(`A ${actor.role} cannot act on a ${target.role}.`);
}

const ROOM_RANK: Record<RoomRole, number> = { member: 0, moderator: 1, owner: 2 };

export function checkRoomRank(
  actor: { id: string; roomRole: RoomRole },
  target: { id: string; role: Role; roomRole: RoomRole | null },
): void {
  if (actor.id === target.id) throw new AppError(400, 'BAD_REQUEST', 'You cannot act on yourself.');
  if (GLOBAL_RANK[target.role] > 0)
    throw forbidden("Room owners and moderators cannot act on the server's moderators or admins.");
  const targetRank = target.roomRole ? ROOM_RANK[target.roomRole] : 0;
  if (targetRank >= ROOM_RANK[actor.roomRole])
    throw forbidden(`A room ${actor.roomRole} cannot act on a room ${target.roomRole ?? 'member'}.`);
}
