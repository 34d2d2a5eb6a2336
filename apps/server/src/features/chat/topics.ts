import { RoomEventSchema, UuidSchema } from '@veza/shared';
import { Type, type Static } from 'typebox';
import { defineTopic } from '../../infra/topic.js';

/** Every committed change to a room, with its seq: what followers of the room are sent. */
export const roomEventsTopic = defineTopic('room.{roomId}', RoomEventSchema);

const TypingSchema = Type.Object({ roomId: UuidSchema, userId: UuidSchema });
export type TypingMessage = Static<typeof TypingSchema>;
/** Someone is typing in a room: ephemeral, no seq, lost without harm. */
export const typingTopic = defineTopic('typing.{roomId}', TypingSchema);
