import { ServerFrameSchema, UuidSchema } from '@veza/shared';
import { Type, type Static } from 'typebox';
import { defineTopic } from '../infra/topic.js';

const UserNoticeSchema = Type.Object({ userId: UuidSchema, frame: ServerFrameSchema });
/**
 * Frames for one user's connections, on whichever instance holds them: a feature publishes a
 * notice, every instance hands it to that user's local connections.
 */
export const userNoticeTopic = defineTopic('notice.{userId}', UserNoticeSchema);
export type UserNoticeMessage = Static<typeof UserNoticeSchema>;

const RoomIdsSchema = Type.Array(UuidSchema);
const PresenceSchema = Type.Union([
  Type.Object({
    kind: Type.Enum(['online', 'offline']),
    instanceId: Type.String(),
    userId: UuidSchema,
    roomIds: RoomIdsSchema,
  }),
  Type.Object({
    kind: Type.Literal('sync'),
    instanceId: Type.String(),
    users: Type.Array(Type.Object({ userId: UuidSchema, roomIds: RoomIdsSchema })),
  }),
]);
export type PresenceMessage = Static<typeof PresenceSchema>;
/**
 * Which users each instance holds, per (user, instance): a user coming or going, and every
 * instance's periodic re-announcement of all its users.
 */
export const presenceTopic = defineTopic('presence', PresenceSchema);
