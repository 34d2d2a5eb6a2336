import { randomUUID } from 'node:crypto';
import type { TrackState } from '@veza/shared';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, type TestApp } from './app.js';

export interface TrackSeed {
  ownerId: string;
  title?: string;
  artist?: string;
  album?: string | null;
  genre?: string | null;
  durationMs?: number;
  state?: TrackState;
  createdAt?: Date;
  playCount?: number;
}

let counter = 0;

/**
 * Stores a track directly in the database, as if uploaded and processed (ready, with one
 * rendition, unless `state` says otherwise), for tests that need a library, not the pipeline.
 */
export async function insertTrack(t: TestApp, seed: TrackSeed): Promise<string> {
  counter += 1;
  const id = randomUUID();
  const state = seed.state ?? 'ready';
  const createdAt = seed.createdAt ?? new Date();
  const renditions =
    state === 'ready'
      ? [
          {
            quality: '128k',
            bandwidth: 130_000,
            averageBandwidth: 128_000,
            segmentCount: 30,
            downloadBytes: 2_000_000,
            downloadSha256: '0'.repeat(64),
          },
        ]
      : [];
  await t.database.db.query(
    `INSERT INTO tracks (id, owner_id, title, artist, album, genre, duration_ms, state, failure_reason,
                         source_probe, source_bytes, renditions, cover_color, play_count, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '{}', 1000, $10, '#336699', $11, $12, $12)`,
    [
      id,
      seed.ownerId,
      seed.title ?? `Track ${counter}`,
      seed.artist ?? 'Test Artist',
      seed.album ?? null,
      seed.genre ?? null,
      seed.durationMs ?? 180_000,
      state,
      state === 'failed' ? 'The file could not be decoded.' : null,
      JSON.stringify(renditions),
      seed.playCount ?? 0,
      createdAt,
    ],
  );
  return id;
}

/** A library API call with the caller's token; `payload` is sent as JSON. */
export function call(
  t: TestApp,
  token: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: bearer(token),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

/** The error body of a response, checking it has the documented shape. */
export function errorOf(response: LightMyRequestResponse): { code: string; message: string } {
  const body = response.json<{ error: { code: string; message: string } }>();
  if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an error body: ${response.body}`);
  }
  return body.error;
}
