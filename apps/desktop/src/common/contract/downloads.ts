/** Offline downloads: what is kept on this machine, and the quota it may use. */
import { TrackQualitySchema, UuidSchema } from '@veza/shared';
import { Type } from 'typebox';
import { command } from './command.js';

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

const TrackRef = Type.Object({ trackId: UuidSchema }, { additionalProperties: false });
const Quality = Type.Optional(TrackQualitySchema);

export const downloadCommands = {
  listDownloads: command().returns<DownloadsView>(),
  downloadTracks: command(
    Type.Object(
      { trackIds: Type.Array(UuidSchema, { minItems: 1, maxItems: 1000 }), quality: Quality },
      { additionalProperties: false },
    ),
  ).returns<DownloadsView>(),
  downloadPlaylist: command(
    Type.Object({ playlistId: UuidSchema, quality: Quality }, { additionalProperties: false }),
  ).returns<DownloadsView>(),
  cancelDownload: command(TrackRef).returns<DownloadsView>(),
  removeDownload: command(TrackRef).returns<DownloadsView>(),
};

export type DownloadsEvent = { type: 'downloads.changed'; downloads: DownloadsView };
