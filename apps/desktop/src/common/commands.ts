/**
 * The allow-list of commands and the schema of each one's argument. Whoever receives a command
 * from a less trusted side (Electron main from the renderer, the browser host from its socket,
 * core from its parent) validates it here before doing anything.
 */
import {
  EmailSchema,
  EmojiSchema,
  LoginBodySchema,
  MESSAGE_MAX_LENGTH,
  PasswordSchema,
  PlayEventSchema,
  SeqSchema,
  TrackListQuerySchema,
  TrackQualitySchema,
  UsernameSchema,
  UuidSchema,
} from '@veza/shared';
import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { CommandName, DesktopErrorShape } from './contract.js';

/** Largest upload the bridge carries; the server enforces its own limit too. */
export const UPLOAD_BRIDGE_MAX_BYTES = 512 * 1024 * 1024;
// What the user typed ("127.0.0.1:8080" too): core's normaliseServerUrl checks it and says what is wrong.
const ServerUrlSchema = Type.String({ minLength: 1, maxLength: 2048, pattern: '^[^\\s\\u0000-\\u001f]+$' });
const NoArgs = Type.Optional(
  Type.Union([Type.Undefined(), Type.Null(), Type.Object({}, { additionalProperties: false })]),
);
const RoomRef = Type.Object({ roomId: UuidSchema }, { additionalProperties: false });
const MessageRef = Type.Object({ messageId: UuidSchema }, { additionalProperties: false });
const ClientRef = Type.Object({ clientId: UuidSchema }, { additionalProperties: false });
const TrackRef = Type.Object({ trackId: UuidSchema }, { additionalProperties: false });
const PlaylistRef = Type.Object({ playlistId: UuidSchema }, { additionalProperties: false });
const Body = Type.String({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH });
const Short = (max: number) => Type.String({ minLength: 1, maxLength: max });
const DownloadQuality = Type.Optional(TrackQualitySchema);
const TrackIds = Type.Array(UuidSchema, { minItems: 1, maxItems: 1000 });

export const COMMAND_ARG_SCHEMAS = {
  getSession: NoArgs,
  signIn: Type.Object(
    { serverUrl: ServerUrlSchema, login: LoginBodySchema.properties.login, password: Short(256) },
    { additionalProperties: false },
  ),
  signUp: Type.Object(
    { serverUrl: ServerUrlSchema, email: EmailSchema, username: UsernameSchema, password: PasswordSchema },
    { additionalProperties: false },
  ),
  signOut: Type.Object({ wipeCache: Type.Boolean() }, { additionalProperties: false }),
  getConnection: NoArgs,

  listRooms: NoArgs,
  listPublicRooms: NoArgs,
  createRoom: Type.Object(
    {
      name: Short(80),
      visibility: Type.Enum(['public', 'private']),
      topic: Type.Optional(Type.String({ maxLength: 500 })),
    },
    { additionalProperties: false },
  ),
  joinRoom: RoomRef,
  leaveRoom: RoomRef,
  openDirectMessage: Type.Object({ userId: UuidSchema }, { additionalProperties: false }),
  getMessages: Type.Object(
    {
      roomId: UuidSchema,
      beforeSeq: Type.Optional(SeqSchema),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    },
    { additionalProperties: false },
  ),
  sendMessage: Type.Object(
    { roomId: UuidSchema, body: Body, replyTo: Type.Optional(UuidSchema) },
    { additionalProperties: false },
  ),
  retryMessage: ClientRef,
  discardMessage: ClientRef,
  editMessage: Type.Object({ messageId: UuidSchema, body: Body }, { additionalProperties: false }),
  deleteMessage: MessageRef,
  react: Type.Object(
    { messageId: UuidSchema, emoji: EmojiSchema, op: Type.Enum(['add', 'remove']) },
    { additionalProperties: false },
  ),
  markRead: Type.Object({ roomId: UuidSchema, seq: SeqSchema }, { additionalProperties: false }),
  notifyTyping: RoomRef,
  searchMessages: Type.Object(
    {
      query: Type.String({ minLength: 1, maxLength: 200 }),
      roomId: Type.Optional(UuidSchema),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    },
    { additionalProperties: false },
  ),

  listTracks: TrackListQuerySchema,
  searchLibrary: Type.Object({ q: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
  getTrack: TrackRef,
  listArtists: NoArgs,
  listAlbums: NoArgs,
  setLiked: Type.Object({ trackId: UuidSchema, liked: Type.Boolean() }, { additionalProperties: false }),
  listPlaylists: NoArgs,
  getPlaylist: PlaylistRef,
  createPlaylist: Type.Object(
    { name: Short(100), description: Type.Optional(Type.String({ maxLength: 1000 })) },
    { additionalProperties: false },
  ),
  deletePlaylist: PlaylistRef,
  addToPlaylist: Type.Object({ playlistId: UuidSchema, trackIds: TrackIds }, { additionalProperties: false }),
  removeFromPlaylist: Type.Object({ playlistId: UuidSchema, trackId: UuidSchema }, { additionalProperties: false }),
  uploadTrack: Type.Object(
    {
      uploadId: UuidSchema,
      fileName: Short(255),
      // Checked by isUploadData below: JSON Schema has no type for bytes.
      data: Type.Unknown(),
      title: Type.Optional(Type.String({ maxLength: 200 })),
      artist: Type.Optional(Type.String({ maxLength: 200 })),
      album: Type.Optional(Type.String({ maxLength: 200 })),
      genre: Type.Optional(Type.String({ maxLength: 60 })),
    },
    { additionalProperties: false },
  ),

  resolvePlayback: Type.Object(
    { trackId: UuidSchema, quality: Type.Enum(['auto', '64k', '128k', '256k']) },
    { additionalProperties: false },
  ),
  reportPlay: Type.Object({ event: PlayEventSchema }, { additionalProperties: false }),

  listDownloads: NoArgs,
  downloadTracks: Type.Object({ trackIds: TrackIds, quality: DownloadQuality }, { additionalProperties: false }),
  downloadPlaylist: Type.Object({ playlistId: UuidSchema, quality: DownloadQuality }, { additionalProperties: false }),
  cancelDownload: TrackRef,
  removeDownload: TrackRef,

  getSettings: NoArgs,
  updateSettings: Type.Object(
    {
      serverUrl: Type.Optional(ServerUrlSchema),
      theme: Type.Optional(Type.Enum(['system', 'light', 'dark'])),
      startMinimised: Type.Optional(Type.Boolean()),
      notifications: Type.Optional(Type.Boolean()),
      downloadsDir: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
      downloadQuotaBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 50 })),
      playbackQuality: Type.Optional(Type.Enum(['auto', '64k', '128k', '256k'])),
      volume: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    },
    { additionalProperties: false },
  ),
  openExternal: Type.Object({ url: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false }),
  chooseDirectory: NoArgs,
} satisfies Record<CommandName, TSchema>;

export const COMMAND_NAMES = Object.keys(COMMAND_ARG_SCHEMAS) as CommandName[];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(COMMAND_ARG_SCHEMAS, value);
}

function isUploadData(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength > 0 && value.byteLength <= UPLOAD_BRIDGE_MAX_BYTES;
}

/**
 * Checks a command name and its argument. Returns null when both are acceptable, otherwise an
 * error naming the first problem (the field and what was wrong), never echoing the value.
 */
export function validateCommand(name: unknown, args: unknown): DesktopErrorShape | null {
  if (!isCommandName(name)) return { code: 'UNKNOWN_COMMAND', message: 'That action does not exist.' };
  const schema = COMMAND_ARG_SCHEMAS[name];
  if (!Value.Check(schema, args)) {
    const first = Value.Errors(schema, args)[0];
    const where = first?.instancePath ? first.instancePath.replace(/^\//, '').replaceAll('/', '.') : 'argument';
    return { code: 'INVALID_ARGUMENT', message: `${name}: ${where} ${first?.message ?? 'is not valid'}.` };
  }
  if (name === 'uploadTrack' && !isUploadData((args as { data: unknown }).data)) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `uploadTrack: data must be the file's bytes (1 byte to ${UPLOAD_BRIDGE_MAX_BYTES / 1024 / 1024} MiB).`,
    };
  }
  return null;
}
