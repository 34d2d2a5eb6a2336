/**
 * The contract between the renderer and core: every command the UI can issue, what it returns, and
 * every event core pushes. The renderer sees it as `window.veza` (Electron preload or the browser
 * host's client); core implements it (`core/desktop-core.ts`). Everything here is plain data that
 * survives structured clone and JSON, so the same messages cross Electron IPC, a worker port and
 * the host's WebSocket.
 *
 * Types only, plus the list of command names (`commands.ts` holds the argument schemas).
 */
import type {
  AlbumSummarySchema,
  ArtistSummarySchema,
  ErrorCode,
  PlayEvent,
  Playlist,
  RoomKind,
  RoomRole,
  Track,
  TrackListQuery,
  User,
  WaveformPeaksDto,
} from '@veza/shared';
import type { Static } from 'typebox';

/** Errors core adds to the server's codes: things that happen on the client side of the wire. */
export const CLIENT_ERROR_CODES = [
  'OFFLINE',
  'NOT_SIGNED_IN',
  'SERVER_UNREACHABLE',
  'INVALID_ARGUMENT',
  'UNKNOWN_COMMAND',
  'DOWNLOAD_FAILED',
  'CHECKSUM_MISMATCH',
  'QUOTA_EXCEEDED',
  'NOT_AVAILABLE_OFFLINE',
  'UNSUPPORTED',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];
export type DesktopErrorCode = ErrorCode | ClientErrorCode;

/** What a failed command gives the renderer: a code to branch on and a sentence to show. */
export interface DesktopErrorShape {
  code: DesktopErrorCode;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Session and connection

export type SessionState =
  { status: 'signed-out'; serverUrl: string } | { status: 'signed-in'; serverUrl: string; user: User };

/**
 * The sync connection: `offline` (no network or server down; `nextRetryAt` says when core tries
 * again), `connecting`, `syncing` (connected, replaying), `online` (caught up, live).
 */
export interface ConnectionState {
  status: 'signed-out' | 'offline' | 'connecting' | 'syncing' | 'online';
  nextRetryAt: string | null;
  lastError: string | null;
}

export interface SignInInput {
  serverUrl: string;
  login: string;
  password: string;
}
export interface SignUpInput {
  serverUrl: string;
  email: string;
  username: string;
  password: string;
}

// ---------------------------------------------------------------------------------------------
// Chat

export interface RoomSummary {
  id: string;
  kind: RoomKind;
  name: string;
  topic: string | null;
  myRole: RoomRole | null;
  memberCount: number;
  lastSeq: number;
  lastReadSeq: number;
  unreadCount: number;
  /** Unread messages that mention me. */
  mentionCount: number;
  dmPeer: { id: string; username: string } | null;
  /** Time of the newest cached message, for sorting the sidebar. */
  lastMessageAt: string | null;
}

export interface PublicRoomSummary {
  id: string;
  name: string;
  topic: string | null;
  memberCount: number;
  joined: boolean;
}

/** `sent`: in the server's log. `pending`: in the outbox. `failed`: the server refused it. */
export type DeliveryState = 'sent' | 'pending' | 'failed';

export interface ChatMessage {
  /** Server id; null while the message is only in the outbox. */
  id: string | null;
  /** Stable key for the UI: the same before and after the server acknowledges. */
  clientId: string;
  roomId: string;
  /** Seq of the message.created event; null while pending. */
  seq: number | null;
  authorId: string;
  authorUsername: string;
  body: string;
  replyTo: { messageId: string; authorUsername: string; excerpt: string } | null;
  mentions: string[];
  mentionsMe: boolean;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  reactions: { emoji: string; userIds: string[]; byMe: boolean }[];
  delivery: DeliveryState;
  /** Why the outbox could not deliver it (failed) or the last transient error (pending). */
  deliveryError: string | null;
}

/** Messages oldest → newest. Without `beforeSeq`, the latest page plus pending outbox messages. */
export interface MessageWindow {
  roomId: string;
  messages: ChatMessage[];
  hasOlder: boolean;
}

export interface MessageSearchHit {
  message: ChatMessage;
  roomName: string;
  /** The body with matches wrapped in U+E000 … U+E001 markers (never HTML): the UI highlights them. */
  snippet: string;
}

export interface TypingNotice {
  roomId: string;
  userId: string;
  username: string;
}

// ---------------------------------------------------------------------------------------------
// Library, playback and downloads

export type ArtistSummary = Static<typeof ArtistSummarySchema>;
export type AlbumSummary = Static<typeof AlbumSummarySchema>;

/** A track as the UI shows it: the server's track plus what this machine knows about it. */
export interface LibraryTrack extends Track {
  /** URL the renderer can put in an <img>: the local cached cover when there is one. */
  coverSrc: string;
  downloaded: boolean;
}

export interface LibraryPage {
  tracks: LibraryTrack[];
  nextCursor: string | null;
  /** True when the page came from the local cache because the server could not be reached. */
  fromCache: boolean;
}

export interface LibrarySearchResult {
  tracks: LibraryTrack[];
  artists: ArtistSummary[];
  albums: AlbumSummary[];
  fromCache: boolean;
}

export interface PlaylistDetailView {
  playlist: Playlist;
  tracks: LibraryTrack[];
  fromCache: boolean;
}

export type PlaybackQuality = 'auto' | '64k' | '128k' | '256k';

/**
 * Where the player gets a track: an HLS master playlist (stream) or a local M4A file (offline).
 * `url` is directly usable by the renderer (hls.js or `<audio src>`).
 */
export interface PlaybackSource {
  track: LibraryTrack;
  kind: 'stream' | 'offline';
  url: string;
  mimeType: 'application/vnd.apple.mpegurl' | 'audio/mp4';
  peaks: WaveformPeaksDto | null;
  gainDb: number;
}

export type DownloadState = 'queued' | 'downloading' | 'done' | 'failed';

export interface DownloadEntry {
  trackId: string;
  title: string;
  artist: string;
  quality: '64k' | '128k' | '256k';
  state: DownloadState;
  receivedBytes: number;
  totalBytes: number;
  error: string | null;
  completedAt: string | null;
}

export interface DownloadsView {
  entries: DownloadEntry[];
  usedBytes: number;
  quotaBytes: number;
}

// ---------------------------------------------------------------------------------------------
// Settings

export type ThemePreference = 'system' | 'light' | 'dark';

export interface Settings {
  serverUrl: string;
  theme: ThemePreference;
  startMinimised: boolean;
  notifications: boolean;
  downloadsDir: string;
  downloadQuotaBytes: number;
  playbackQuality: PlaybackQuality;
  /** 0..1 */
  volume: number;
}

// ---------------------------------------------------------------------------------------------
// Commands: name → (args) → result. Every command takes at most one plain object.

export interface VezaCommands {
  // session
  getSession(): SessionState;
  signIn(args: SignInInput): SessionState;
  signUp(args: SignUpInput): SessionState;
  signOut(args: { wipeCache: boolean }): SessionState;
  getConnection(): ConnectionState;

  // chat
  listRooms(): RoomSummary[];
  listPublicRooms(): PublicRoomSummary[];
  createRoom(args: { name: string; visibility: 'public' | 'private'; topic?: string }): RoomSummary;
  joinRoom(args: { roomId: string }): RoomSummary;
  leaveRoom(args: { roomId: string }): void;
  openDirectMessage(args: { userId: string }): RoomSummary;
  getMessages(args: { roomId: string; beforeSeq?: number; limit?: number }): MessageWindow;
  sendMessage(args: { roomId: string; body: string; replyTo?: string }): ChatMessage;
  retryMessage(args: { clientId: string }): void;
  discardMessage(args: { clientId: string }): void;
  editMessage(args: { messageId: string; body: string }): void;
  deleteMessage(args: { messageId: string }): void;
  react(args: { messageId: string; emoji: string; op: 'add' | 'remove' }): void;
  markRead(args: { roomId: string; seq: number }): void;
  notifyTyping(args: { roomId: string }): void;
  searchMessages(args: { query: string; roomId?: string; limit?: number }): MessageSearchHit[];

  // library
  listTracks(args: TrackListQuery): LibraryPage;
  searchLibrary(args: { q: string }): LibrarySearchResult;
  getTrack(args: { trackId: string }): LibraryTrack;
  listArtists(): ArtistSummary[];
  listAlbums(): AlbumSummary[];
  setLiked(args: { trackId: string; liked: boolean }): LibraryTrack;
  listPlaylists(): Playlist[];
  getPlaylist(args: { playlistId: string }): PlaylistDetailView;
  createPlaylist(args: { name: string; description?: string }): Playlist;
  deletePlaylist(args: { playlistId: string }): void;
  addToPlaylist(args: { playlistId: string; trackIds: string[] }): PlaylistDetailView;
  removeFromPlaylist(args: { playlistId: string; trackId: string }): PlaylistDetailView;
  /** Artists only. Progress arrives as `upload.progress` then `track.processing` events. */
  uploadTrack(args: {
    uploadId: string;
    fileName: string;
    data: Uint8Array;
    title?: string;
    artist?: string;
    album?: string;
    genre?: string;
  }): LibraryTrack;

  // playback
  resolvePlayback(args: { trackId: string; quality: PlaybackQuality }): PlaybackSource;
  /** Queued locally and reported in batches, so plays made offline count once the network returns. */
  reportPlay(args: { event: PlayEvent }): void;

  // downloads
  listDownloads(): DownloadsView;
  downloadTracks(args: { trackIds: string[]; quality?: '64k' | '128k' | '256k' }): DownloadsView;
  downloadPlaylist(args: { playlistId: string; quality?: '64k' | '128k' | '256k' }): DownloadsView;
  cancelDownload(args: { trackId: string }): DownloadsView;
  removeDownload(args: { trackId: string }): DownloadsView;

  // settings and shell
  getSettings(): Settings;
  updateSettings(args: Partial<Settings>): Settings;
  /** http(s) only; anything else is refused. */
  openExternal(args: { url: string }): void;
  /** Electron: a folder picker. The browser host answers null. */
  chooseDirectory(): string | null;
}

export type CommandName = keyof VezaCommands;
export type CommandArgs<N extends CommandName> = Parameters<VezaCommands[N]> extends [infer A] ? A : undefined;
export type CommandResult<N extends CommandName> = ReturnType<VezaCommands[N]>;

// ---------------------------------------------------------------------------------------------
// Events core pushes. "changed" events carry no data: the store re-queries what it shows.

export type CoreEvent =
  | { type: 'session.changed'; session: SessionState }
  | { type: 'connection.changed'; connection: ConnectionState }
  | { type: 'rooms.changed' }
  | { type: 'messages.changed'; roomId: string }
  | { type: 'typing'; notice: TypingNotice }
  | { type: 'presence'; userId: string; status: 'online' | 'offline' }
  | { type: 'mention'; roomId: string; roomName: string; message: ChatMessage }
  | { type: 'library.changed' }
  | { type: 'track.processing'; trackId: string; state: Track['state']; percent: number; failureReason: string | null }
  | { type: 'upload.progress'; uploadId: string; sentBytes: number; totalBytes: number }
  | { type: 'downloads.changed'; downloads: DownloadsView }
  | { type: 'settings.changed'; settings: Settings };

export type CoreEventType = CoreEvent['type'];

/** A command's outcome as it crosses a process boundary (errors are data, not thrown objects). */
export type CommandOutcome<T> = { ok: true; value: T } | { ok: false; error: DesktopErrorShape };

/**
 * `window.veza`: one async function per command plus an event subscription. Built by the preload
 * script (Electron) or the host client (browser); the renderer's stores are its only callers.
 */
export type VezaBridge = {
  [N in CommandName]: CommandArgs<N> extends undefined
    ? () => Promise<CommandResult<N>>
    : (args: CommandArgs<N>) => Promise<CommandResult<N>>;
} & {
  onEvent(listener: (event: CoreEvent) => void): () => void;
};

/** Re-exported so the renderer can name these without importing @veza/shared itself. */
export type { PlayEvent, Playlist, Track, User, WaveformPeaksDto, TrackListQuery };
