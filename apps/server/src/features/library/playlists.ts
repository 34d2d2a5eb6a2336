import { randomUUID } from 'node:crypto';
import {
  PLAYLIST_MAX_TRACKS,
  type Playlist,
  type PlaylistCreateBody,
  type PlaylistDetail,
  type PlaylistUpdateBody,
} from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import { AppError, forbidden, notFound } from '../../infra/errors.js';
import type { Actor } from '../auth/index.js';
import { canManageTracks } from '../media/index.js';
import * as store from './playlist-store.js';

const noSuchPlaylist = () => notFound('No such playlist.');
const trimmedOrNull = (text: string | null | undefined) => (text?.trim() ? text.trim() : null);

/**
 * Playlists: anyone who can play music keeps their own, public or private. A private playlist
 * does not exist for anyone but its owner (404, not 403). Every change runs under the
 * playlist's row lock.
 */
export class Playlists {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async create(listener: Actor, input: PlaylistCreateBody): Promise<Playlist> {
    const id = randomUUID();
    await store.insertPlaylist(this.deps.db, {
      id,
      ownerId: listener.id,
      name: input.name.trim(),
      description: trimmedOrNull(input.description),
      visibility: input.visibility ?? 'private',
      now: this.deps.clock.now(),
    });
    return (await store.findPlaylist(this.deps.db, listener, id))!;
  }

  /** The listener's own playlists, or another user's public ones. */
  list(listener: Actor, query: { ownerId?: string; limit: number; offset: number }): Promise<Playlist[]> {
    return store.listPlaylists(this.deps.db, listener, query.ownerId ?? listener.id, query);
  }

  async detail(listener: Actor, playlistId: string): Promise<PlaylistDetail> {
    const playlist = await store.findPlaylist(this.deps.db, listener, playlistId);
    if (!playlist || (playlist.visibility === 'private' && playlist.ownerId !== listener.id)) throw noSuchPlaylist();
    return { playlist, tracks: await store.listPlaylistTracks(this.deps.db, listener, playlistId) };
  }

  async update(listener: Actor, playlistId: string, changes: PlaylistUpdateBody): Promise<Playlist> {
    await this.change(listener, playlistId, 'edit', async (tx, now) => {
      await store.updatePlaylist(
        tx,
        playlistId,
        {
          ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
          ...(changes.description !== undefined ? { description: trimmedOrNull(changes.description) } : {}),
          ...(changes.visibility !== undefined ? { visibility: changes.visibility } : {}),
        },
        now,
      );
    });
    return (await store.findPlaylist(this.deps.db, listener, playlistId))!;
  }

  async delete(listener: Actor, playlistId: string): Promise<void> {
    await this.change(listener, playlistId, 'delete', (tx) => store.deletePlaylist(tx, playlistId));
  }

  /**
   * Inserts tracks before `position` (appends without it, or when it is past the end). Tracks
   * already in the playlist stay where they are: adding is idempotent, so a retried request never
   * reorders anything (moving is what PUT /order is for). Every track must exist and be visible
   * to the listener, or nothing is added.
   */
  async addTracks(
    listener: Actor,
    playlistId: string,
    input: { trackIds: string[]; position?: number | undefined },
  ): Promise<PlaylistDetail> {
    await this.change(listener, playlistId, 'edit', async (tx, now) => {
      const visible = await store.holdVisibleTracks(tx, listener, input.trackIds);
      const unknown = input.trackIds.find((id) => !visible.has(id));
      if (unknown) throw notFound(`No track with id ${unknown}; nothing was added.`);
      const entries = await store.readEntries(tx, listener, playlistId);
      const current = entries.map((entry) => entry.trackId);
      const present = new Set(current);
      const added = input.trackIds.filter((id) => !present.has(id));
      if (added.length === 0) return;
      if (current.length + added.length > PLAYLIST_MAX_TRACKS) {
        throw new AppError(
          409,
          'CONFLICT',
          `A playlist holds at most ${PLAYLIST_MAX_TRACKS} tracks; this one has ${current.length} and ${added.length} more would not fit.`,
        );
      }
      // The position counts the tracks the listener sees: insert before the one at that index.
      const before = entries.filter((entry) => entry.visible)[input.position ?? Infinity];
      const at = before ? current.indexOf(before.trackId) : current.length;
      await store.writeEntries(tx, playlistId, [...current.slice(0, at), ...added, ...current.slice(at)], now);
      await store.touchPlaylist(tx, playlistId, now);
    });
    return this.detail(listener, playlistId);
  }

  /** Idempotent: removing a track that is not in the playlist changes nothing. */
  async removeTrack(listener: Actor, playlistId: string, trackId: string): Promise<void> {
    await this.change(listener, playlistId, 'edit', async (tx, now) => {
      const current = (await store.readEntries(tx, listener, playlistId)).map((entry) => entry.trackId);
      if (!current.includes(trackId)) return;
      await store.writeEntries(
        tx,
        playlistId,
        current.filter((id) => id !== trackId),
        now,
      );
      await store.touchPlaylist(tx, playlistId, now);
    });
  }

  /**
   * Puts the tracks the listener sees in the given order. The body must list exactly those
   * tracks: anything else means the client's copy is stale. Entries the listener cannot see (a
   * track that failed or was hidden since) keep their slots.
   */
  async reorder(listener: Actor, playlistId: string, trackIds: string[]): Promise<PlaylistDetail> {
    await this.change(listener, playlistId, 'edit', async (tx, now) => {
      const entries = await store.readEntries(tx, listener, playlistId);
      const visible = new Set(entries.filter((entry) => entry.visible).map((entry) => entry.trackId));
      if (trackIds.length !== visible.size || !trackIds.every((id) => visible.has(id))) {
        throw new AppError(409, 'CONFLICT', 'The playlist changed; reload it and try again.');
      }
      const inOrder = trackIds[Symbol.iterator]();
      const order = entries.map((entry) => (entry.visible ? (inOrder.next().value as string) : entry.trackId));
      await store.writeEntries(tx, playlistId, order, now);
      await store.touchPlaylist(tx, playlistId, now);
    });
    return this.detail(listener, playlistId);
  }

  /**
   * Runs `work` under the playlist's lock once the listener may do `what`: owners edit; owners
   * and track managers delete. A private playlist of someone else is a 404 for everyone.
   */
  private async change(
    listener: Actor,
    playlistId: string,
    what: 'edit' | 'delete',
    work: (tx: Queryable, now: Date) => Promise<void>,
  ): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      const playlist = await store.lockPlaylist(tx, playlistId);
      const owns = playlist?.ownerId === listener.id;
      const manages = what === 'delete' && canManageTracks(listener);
      if (!playlist || (playlist.visibility === 'private' && !owns && !manages)) throw noSuchPlaylist();
      if (!owns && !manages) throw forbidden('Only the owner can change this playlist.');
      await work(tx, this.deps.clock.now());
    });
  }
}
