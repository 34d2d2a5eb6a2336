/** Bus subjects of the chat feature. Room events carry their seq; ephemeral notices do not. */
export const roomEventsSubject = (roomId: string): string => `room.${roomId}`;
export const ALL_ROOM_EVENTS = 'room.*';
export const typingSubject = (roomId: string): string => `typing.${roomId}`;
export const ALL_TYPING = 'typing.*';
export const PRESENCE_SUBJECT = 'presence';
