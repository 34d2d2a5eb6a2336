import { openAsBlob } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { StreamGrant, Track, TrackState } from '@veza/shared';
import { hlsKey } from '../features/media/blob-keys.js';
import { bearer, signUp, type TestApp } from './app.js';
import { insertTrack } from './tracks.js';

/** Base URL of a test app listening on a port. */
export function baseUrl(t: TestApp): string {
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

/** Uploads `file` as a real multipart request, as the desktop app does. */
export async function uploadFile(
  t: TestApp,
  token: string,
  file: string,
  fields: Record<string, string> = {},
  fileName = path.basename(file),
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', await openAsBlob(file), fileName);
  return fetch(`${baseUrl(t)}/api/v1/tracks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
}

/** Uploads and expects the 202; returns the track in state `processing`. */
export async function uploadTrack(
  t: TestApp,
  token: string,
  file: string,
  fields: Record<string, string> = {},
): Promise<Track> {
  const response = await uploadFile(t, token, file, fields);
  if (response.status !== 202) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as Track;
}

/** Waits until the track reaches `state` (read from the database, so it needs no route). */
export async function waitForState(
  t: TestApp,
  trackId: string,
  state: TrackState,
  timeoutMs = 60_000,
): Promise<{ state: TrackState; failure_reason: string | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await t.database.db.query<{ state: TrackState; failure_reason: string | null }>(
      'SELECT state, failure_reason FROM tracks WHERE id = $1',
      [trackId],
    );
    const row = rows[0];
    if (row?.state === state) return row;
    if (row && row.state !== 'processing') {
      throw new Error(`track ${trackId} is ${row.state} (${row.failure_reason ?? ''}), not ${state}`);
    }
    if (Date.now() > deadline) throw new Error(`track ${trackId} did not become ${state} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every file under `dir`, relative to it (for "nothing was left behind" checks). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** A signed media URL (made with the app's public URL) pointed at the test app's real port. */
export function localize(t: TestApp, url: string): string {
  const parsed = new URL(url);
  return `${baseUrl(t)}${parsed.pathname}${parsed.search}`;
}

/**
 * A genuine signed master-playlist URL (from the stream route, pointed at the app's port) of a
 * ready track whose playlist is in the store, without running ffmpeg; and its signature.
 */
export async function signedPlaylist(t: TestApp): Promise<{ url: string; signature: string; trackId: string }> {
  const owner = await signUp(t, 'artist');
  const trackId = await insertTrack(t, { ownerId: owner.user.id });
  await t.blobs.put(hlsKey(trackId, 0, 'master.m3u8'), '#EXTM3U\n#EXT-X-VERSION:7\n');
  const response = await t.app.inject({ url: `/api/v1/tracks/${trackId}/stream`, headers: bearer(owner.accessToken) });
  if (response.statusCode !== 200) throw new Error(`stream grant failed: ${response.statusCode} ${response.body}`);
  const url = localize(t, response.json<StreamGrant>().url);
  const signature = /\/([A-Za-z0-9_-]+)\/master\.m3u8$/.exec(url)?.[1];
  if (!signature) throw new Error(`no signature in ${url}`);
  return { url, signature, trackId };
}
