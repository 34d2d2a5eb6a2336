import { Type, type Static } from 'typebox';
import { CHAT_CLIENT_FRAMES, CHAT_HELLO_FIELDS, CHAT_SERVER_FRAMES, CHAT_WELCOME_FIELDS } from './families/chat.js';
import { MEDIA_SERVER_FRAMES } from './families/media.js';
import { MODERATION_SERVER_FRAMES } from './families/moderation.js';
import {
  AuthFrameSchema,
  DoneFrameSchema,
  ErrorFrameSchema,
  GATEWAY_HELLO_FIELDS,
  GATEWAY_WELCOME_FIELDS,
  PresenceFrameSchema,
} from './gateway.js';

/*
 * The WebSocket protocol (GET /api/v1/ws): JSON text frames, one object each, keyed on `type`.
 * docs/protocol.md explains the exchange; these schemas are the contract both ends validate.
 * The unions are composed here from the gateway's frames and each feature's family; a new
 * feature adds its family file and one entry per list below.
 */

export * from './gateway.js';
export * from './families/chat.js';
export * from './families/media.js';
export * from './families/moderation.js';

// ── client → server ────────────────────────────────────────────────────────────

export const HelloFrameSchema = Type.Object(
  { ...GATEWAY_HELLO_FIELDS, ...CHAT_HELLO_FIELDS },
  { additionalProperties: false },
);

export const ClientFrameSchema = Type.Union([HelloFrameSchema, AuthFrameSchema, ...CHAT_CLIENT_FRAMES]);
export type ClientFrame = Static<typeof ClientFrameSchema>;
export type ClientFrameOf<T extends ClientFrame['type']> = Extract<ClientFrame, { type: T }>;
export const CLIENT_FRAME_TYPES = [
  'hello',
  'auth',
  'send',
  'edit',
  'delete',
  'react',
  'read',
  'typing',
  'fetch',
] as const satisfies readonly ClientFrame['type'][];
const clientFrameTypesComplete: Exclude<ClientFrame['type'], (typeof CLIENT_FRAME_TYPES)[number]> extends never
  ? true
  : false = true;
void clientFrameTypesComplete;

// ── server → client ────────────────────────────────────────────────────────────

export const WelcomeFrameSchema = Type.Object({ ...GATEWAY_WELCOME_FIELDS, ...CHAT_WELCOME_FIELDS });

export const ServerFrameSchema = Type.Union([
  WelcomeFrameSchema,
  DoneFrameSchema,
  ErrorFrameSchema,
  PresenceFrameSchema,
  ...CHAT_SERVER_FRAMES,
  ...MEDIA_SERVER_FRAMES,
  ...MODERATION_SERVER_FRAMES,
]);
export type ServerFrame = Static<typeof ServerFrameSchema>;
export type ServerFrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
/** Every server frame type, once (e.g. a bounded label set for the server's frame counters). */
export const SERVER_FRAME_TYPES = [
  'welcome',
  'event',
  'synced',
  'reset',
  'ack',
  'done',
  'fetched',
  'error',
  'presence',
  'typing',
  'track',
  'moderation',
  'rules',
] as const satisfies readonly ServerFrame['type'][];
// The list cannot fall behind the union: a frame type missing from it fails to compile here.
const serverFrameTypesComplete: Exclude<ServerFrame['type'], (typeof SERVER_FRAME_TYPES)[number]> extends never
  ? true
  : false = true;
void serverFrameTypesComplete;
