import type { ServerFrameOf } from '@veza/shared';

/** The server frames chat owns on the sync connection: room logs, the outbox's answers, presence, typing. */
export const CHAT_FRAMES = [
  'event',
  'synced',
  'reset',
  'ack',
  'done',
  'fetched',
  'error',
  'presence',
  'typing',
] as const;

export type ChatFrameType = (typeof CHAT_FRAMES)[number];
export type ChatFrame = ServerFrameOf<ChatFrameType>;
