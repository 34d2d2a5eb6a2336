/** The library (tracks, artists, albums, likes, playlists, uploads) and playback. */
import {
  PlayEventSchema,
  TrackListQuerySchema,
  UuidSchema,
  type AlbumSummarySchema,
  type ArtistSummarySchema,
  type Playlist,
  type Track,
  type WaveformPeaksDto,
} from '@veza/shared';
import { Type, type Static } from 'typebox';
import { command } from './command.js';

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
export const PlaybackQualitySchema = Type.Enum(['auto', '64k', '128k', '256k']);

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

/** Largest upload the bridge carries; the server enforces its own limit too. */
export const UPLOAD_BRIDGE_MAX_BYTES = 512 * 1024 * 1024;

const TrackRef = Type.Object({ trackId: UuidSchema }, { additionalProperties: false });
const PlaylistRef = Type.Object({ playlistId: UuidSchema }, { additionalProperties: false });
const TrackIds = Type.Array(UuidSchema, { minItems: 1, maxItems: 1000 });

const Upload = Type.Object(
  {
    uploadId: UuidSchema,
    fileName: Type.String({ minLength: 1, maxLength: 255 }),
    // Checked by `refine` below: JSON Schema has no type for bytes.
    data: Type.Unsafe<Uint8Array>(Type.Unknown()),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    artist: Type.Optional(Type.String({ maxLength: 200 })),
    album: Type.Optional(Type.String({ maxLength: 200 })),
    genre: Type.Optional(Type.String({ maxLength: 60 })),
  },
  { additionalProperties: false },
);

function isUploadData(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength > 0 && value.byteLength <= UPLOAD_BRIDGE_MAX_BYTES;
}

export const libraryCommands = {
  listTracks: command(TrackListQuerySchema).returns<LibraryPage>(),
  searchLibrary: command(
    Type.Object({ q: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
  ).returns<LibrarySearchResult>(),
  getTrack: command(TrackRef).returns<LibraryTrack>(),
  listArtists: command().returns<ArtistSummary[]>(),
  listAlbums: command().returns<AlbumSummary[]>(),
  setLiked: command(
    Type.Object({ trackId: UuidSchema, liked: Type.Boolean() }, { additionalProperties: false }),
  ).returns<LibraryTrack>(),
  listPlaylists: command().returns<Playlist[]>(),
  getPlaylist: command(PlaylistRef).returns<PlaylistDetailView>(),
  createPlaylist: command(
    Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 100 }),
        description: Type.Optional(Type.String({ maxLength: 1000 })),
      },
      { additionalProperties: false },
    ),
  ).returns<Playlist>(),
  deletePlaylist: command(PlaylistRef).returns<void>(),
  addToPlaylist: command(
    Type.Object({ playlistId: UuidSchema, trackIds: TrackIds }, { additionalProperties: false }),
  ).returns<PlaylistDetailView>(),
  removeFromPlaylist: command(
    Type.Object({ playlistId: UuidSchema, trackId: UuidSchema }, { additionalProperties: false }),
  ).returns<PlaylistDetailView>(),
  /** Artists only. Progress arrives as `upload.progress` then `track.processing` events. */
  uploadTrack: command(Upload, (args) =>
    isUploadData(args.data)
      ? null
      : {
          code: 'INVALID_ARGUMENT',
          message: `uploadTrack: data must be the file's bytes (1 byte to ${UPLOAD_BRIDGE_MAX_BYTES / 1024 / 1024} MiB).`,
        },
  ).returns<LibraryTrack>(),

  resolvePlayback: command(
    Type.Object({ trackId: UuidSchema, quality: PlaybackQualitySchema }, { additionalProperties: false }),
  ).returns<PlaybackSource>(),
  /** Queued locally and reported in batches, so plays made offline count once the network returns. */
  reportPlay: command(Type.Object({ event: PlayEventSchema }, { additionalProperties: false })).returns<void>(),
};

export type LibraryEvent =
  | { type: 'library.changed' }
  | { type: 'track.processing'; trackId: string; state: Track['state']; percent: number; failureReason: string | null }
  | { type: 'upload.progress'; uploadId: string; sentBytes: number; totalBytes: number };
