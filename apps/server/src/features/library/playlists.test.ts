import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAYLIST_MAX_TRACKS, type Playlist, type PlaylistDetail } from '@veza/shared';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { call, errorOf, insertTrack } from '../../test-support/tracks.js';

/* Playlists: ownership, privacy, adding, removing and reordering tracks. */

let t: TestApp;
let artistId: string;
beforeAll(async () => {
  t = await createTestApp();
  artistId = (await signUp(t, 'artist')).user.id;
});
afterAll(async () => {
  await t.close();
});

async function createPlaylist(token: string, body: object = { name: 'Mix' }): Promise<Playlist> {
  const response = await call(t, token, 'POST', '/playlists', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Playlist>();
}

async function detail(token: string, playlistId: string): Promise<PlaylistDetail> {
  const response = await call(t, token, 'GET', `/playlists/${playlistId}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<PlaylistDetail>();
}

async function add(token: string, playlistId: string, trackIds: string[], position?: number): Promise<PlaylistDetail> {
  const response = await call(t, token, 'POST', `/playlists/${playlistId}/tracks`, {
    trackIds,
    ...(position === undefined ? {} : { position }),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<PlaylistDetail>();
}

const tracks = (count: number, durationMs = 1000) =>
  Promise.all(Array.from({ length: count }, () => insertTrack(t, { ownerId: artistId, durationMs })));
const order = (result: PlaylistDetail) => result.tracks.map((track) => track.id);

/** The stored positions, which must stay 0..n-1 whatever happens. */
async function positions(playlistId: string): Promise<number[]> {
  const { rows } = await t.database.db.query<{ position: number }>(
    'SELECT position FROM playlist_tracks WHERE playlist_id = $1 ORDER BY position',
    [playlistId],
  );
  return rows.map((row) => row.position);
}
const dense = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('creating and listing playlists', () => {
  it('creates private playlists by default, trimming the text', async () => {
    const user = await signUp(t);
    const playlist = await createPlaylist(user.accessToken, { name: '  Morning  ', description: '   ' });
    expect(playlist).toEqual({
      id: expect.any(String),
      ownerId: user.user.id,
      ownerUsername: user.user.username,
      name: 'Morning',
      description: null,
      visibility: 'private',
      trackCount: 0,
      durationMs: 0,
      createdAt: expect.any(String),
      updatedAt: playlist.createdAt,
    });
    const open = await createPlaylist(user.accessToken, {
      name: 'Open',
      description: ' For all ',
      visibility: 'public',
    });
    expect(open).toMatchObject({ visibility: 'public', description: 'For all' });
  });

  it('lists my playlists, or only the public ones of someone else', async () => {
    const [ada, bob] = await Promise.all([signUp(t), signUp(t)]);
    const shared = await createPlaylist(ada.accessToken, { name: 'Shared', visibility: 'public' });
    const secret = await createPlaylist(ada.accessToken, { name: 'Secret' });
    await t.database.db.query(`UPDATE playlists SET updated_at = updated_at - interval '1 minute'`);
    const list = async (token: string, query = '') => {
      const response = await call(t, token, 'GET', `/playlists${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ playlists: Playlist[] }>().playlists.map((p) => p.id);
    };
    // Recently changed first.
    await call(t, ada.accessToken, 'PATCH', `/playlists/${secret.id}`, { description: 'touched' });
    expect(await list(ada.accessToken)).toEqual([secret.id, shared.id]);
    expect(await list(ada.accessToken, `?ownerId=${ada.user.id}`)).toEqual([secret.id, shared.id]);
    expect(await list(bob.accessToken, `?ownerId=${ada.user.id}`)).toEqual([shared.id]);
    expect(await list(bob.accessToken)).toEqual([]);
    expect(await list(ada.accessToken, '?limit=1&offset=1')).toEqual([shared.id]);
    for (const query of ['?ownerId=me', '?limit=0', '?limit=201', '?offset=-1', '?owner=x']) {
      const response = await call(t, ada.accessToken, 'GET', `/playlists${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(errorOf(response).code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('privacy and ownership', () => {
  it('hides a private playlist from everyone else (404), and refuses changes to a public one (403)', async () => {
    const [owner, other, admin] = await Promise.all([signUp(t), signUp(t, 'artist'), signUp(t, 'admin')]);
    const [track] = await tracks(1);
    const secret = await createPlaylist(owner.accessToken, { name: 'Secret' });
    const shared = await createPlaylist(owner.accessToken, { name: 'Shared', visibility: 'public' });
    const attempts = (id: string) =>
      [
        ['PATCH', `/playlists/${id}`, { name: 'Mine now' }],
        ['POST', `/playlists/${id}/tracks`, { trackIds: [track] }],
        ['DELETE', `/playlists/${id}/tracks/${track}`, undefined],
        ['PUT', `/playlists/${id}/order`, { trackIds: [] }],
        ['DELETE', `/playlists/${id}`, undefined],
      ] as const;

    for (const viewer of [other, admin]) {
      const response = await call(t, viewer.accessToken, 'GET', `/playlists/${secret.id}`);
      expect(response.statusCode).toBe(404);
      expect(errorOf(response).code).toBe('NOT_FOUND');
    }
    for (const [method, url, body] of attempts(secret.id)) {
      expect((await call(t, other.accessToken, method, url, body)).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await detail(other.accessToken, shared.id)).playlist.name).toBe('Shared');
    for (const [method, url, body] of attempts(shared.id)) {
      const response = await call(t, other.accessToken, method, url, body);
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(errorOf(response).code).toBe('FORBIDDEN');
    }
    expect(await detail(owner.accessToken, shared.id)).toEqual({
      playlist: expect.objectContaining({ name: 'Shared', trackCount: 0 }),
      tracks: [],
    });
    // Admins may delete any playlist (moderation), private ones included, but not edit them.
    expect((await call(t, admin.accessToken, 'PATCH', `/playlists/${shared.id}`, { name: 'x' })).statusCode).toBe(403);
    expect((await call(t, admin.accessToken, 'DELETE', `/playlists/${secret.id}`)).statusCode).toBe(204);
    expect((await call(t, owner.accessToken, 'GET', `/playlists/${secret.id}`)).statusCode).toBe(404);
  });

  it('lets the owner rename, describe, publish and delete', async () => {
    const [owner, other] = await Promise.all([signUp(t), signUp(t)]);
    const playlist = await createPlaylist(owner.accessToken, { name: 'Draft', description: 'notes' });
    const renamed = await call(t, owner.accessToken, 'PATCH', `/playlists/${playlist.id}`, { name: ' Final ' });
    expect(renamed.json<Playlist>()).toMatchObject({ name: 'Final', description: 'notes', visibility: 'private' });
    const published = await call(t, owner.accessToken, 'PATCH', `/playlists/${playlist.id}`, {
      description: null,
      visibility: 'public',
    });
    expect(published.json<Playlist>()).toMatchObject({ name: 'Final', description: null, visibility: 'public' });
    expect((await detail(other.accessToken, playlist.id)).playlist.name).toBe('Final');

    expect((await call(t, owner.accessToken, 'DELETE', `/playlists/${playlist.id}`)).statusCode).toBe(204);
    expect((await call(t, owner.accessToken, 'GET', `/playlists/${playlist.id}`)).statusCode).toBe(404);
    expect((await call(t, owner.accessToken, 'DELETE', `/playlists/${playlist.id}`)).statusCode).toBe(404);
  });
});

describe('playlist tracks', () => {
  it('appends, inserts at a position, and ignores tracks already there', async () => {
    const user = await signUp(t);
    const playlist = await createPlaylist(user.accessToken);
    const [a, b, c, d, e] = (await tracks(5, 1500)) as [string, string, string, string, string];

    expect(order(await add(user.accessToken, playlist.id, [a, b]))).toEqual([a, b]);
    expect(order(await add(user.accessToken, playlist.id, [c], 0))).toEqual([c, a, b]);
    expect(order(await add(user.accessToken, playlist.id, [d], 2))).toEqual([c, a, d, b]);
    // Already present ones stay where they are, even with a position; the others are inserted there.
    expect(order(await add(user.accessToken, playlist.id, [b, e, c], 1))).toEqual([c, e, a, d, b]);
    const past = await add(user.accessToken, playlist.id, [a], 1000);
    expect(order(past)).toEqual([c, e, a, d, b]);
    expect(past.playlist).toMatchObject({ trackCount: 5, durationMs: 7500 });
    expect(await positions(playlist.id)).toEqual(dense(5));
  });

  it('adds nothing when a track is unknown or hidden from the caller', async () => {
    const user = await signUp(t);
    const playlist = await createPlaylist(user.accessToken);
    const [ready] = await tracks(1);
    const hidden = await insertTrack(t, { ownerId: artistId, state: 'processing' });
    const mine = await insertTrack(t, { ownerId: user.user.id, state: 'processing' });
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const missing of [unknown, hidden]) {
      const response = await call(t, user.accessToken, 'POST', `/playlists/${playlist.id}/tracks`, {
        trackIds: [ready, missing],
      });
      expect(response.statusCode).toBe(404);
      expect(errorOf(response)).toEqual({ code: 'NOT_FOUND', message: expect.stringContaining(missing) });
    }
    expect((await detail(user.accessToken, playlist.id)).tracks).toEqual([]);
    // One's own unfinished upload is visible to oneself.
    expect(order(await add(user.accessToken, playlist.id, [mine]))).toEqual([mine]);
  });

  it('removes tracks, keeping positions dense, and is harmless to repeat', async () => {
    const user = await signUp(t);
    const playlist = await createPlaylist(user.accessToken);
    const [a, b, c, d] = (await tracks(4)) as [string, string, string, string];
    await add(user.accessToken, playlist.id, [a, b, c, d]);
    for (let i = 0; i < 2; i += 1) {
      expect((await call(t, user.accessToken, 'DELETE', `/playlists/${playlist.id}/tracks/${b}`)).statusCode).toBe(204);
    }
    expect(order(await detail(user.accessToken, playlist.id))).toEqual([a, c, d]);
    expect(await positions(playlist.id)).toEqual(dense(3));

    // A track deleted from the library leaves a gap; the next change closes it.
    await t.database.db.query('DELETE FROM tracks WHERE id = $1', [a]);
    expect(order(await add(user.accessToken, playlist.id, [b], 1))).toEqual([c, b, d]);
    expect(await positions(playlist.id)).toEqual(dense(3));
  });

  it('reorders to exactly the current set, and answers 409 to a stale one', async () => {
    const user = await signUp(t);
    const playlist = await createPlaylist(user.accessToken);
    const [a, b, c, stranger] = (await tracks(4)) as [string, string, string, string];
    await add(user.accessToken, playlist.id, [a, b, c]);
    const reorder = (trackIds: string[]) =>
      call(t, user.accessToken, 'PUT', `/playlists/${playlist.id}/order`, { trackIds });

    const reordered = await reorder([c, a, b]);
    expect(reordered.statusCode, reordered.body).toBe(200);
    expect(order(reordered.json<PlaylistDetail>())).toEqual([c, a, b]);
    expect(await positions(playlist.id)).toEqual(dense(3));

    for (const stale of [[c, a], [c, a, b, stranger], [c, a, stranger], []]) {
      const response = await reorder(stale);
      expect(response.statusCode).toBe(409);
      expect(errorOf(response)).toEqual({ code: 'CONFLICT', message: expect.stringMatching(/changed; reload/) });
    }
    const duplicated = await reorder([c, a, a]);
    expect(duplicated.statusCode).toBe(400);
    expect(order(await detail(user.accessToken, playlist.id))).toEqual([c, a, b]);
  });

  it('leaves out tracks the viewer cannot see, which keep their place when the rest is reordered', async () => {
    const [owner, listener] = await Promise.all([signUp(t), signUp(t)]);
    const uploader = await signUp(t, 'artist');
    const playlist = await createPlaylist(owner.accessToken, { name: 'Shared', visibility: 'public' });
    const [a, c] = (await tracks(2, 1000)) as [string, string];
    const b = await insertTrack(t, { ownerId: uploader.user.id, durationMs: 5000 });
    await add(owner.accessToken, playlist.id, [a, b, c]);
    // The track fails reprocessing: only its uploader sees it now.
    await t.database.db.query(`UPDATE tracks SET state = 'failed' WHERE id = $1`, [b]);

    for (const viewer of [owner, listener]) {
      const seen = await detail(viewer.accessToken, playlist.id);
      expect(order(seen)).toEqual([a, c]);
      expect(seen.playlist).toMatchObject({ trackCount: 2, durationMs: 2000 });
    }
    const byUploader = await detail(uploader.accessToken, playlist.id);
    expect(order(byUploader)).toEqual([a, b, c]);
    expect(byUploader.playlist).toMatchObject({ trackCount: 3, durationMs: 7000 });

    const reordered = await call(t, owner.accessToken, 'PUT', `/playlists/${playlist.id}/order`, { trackIds: [c, a] });
    expect(reordered.statusCode, reordered.body).toBe(200);
    expect(order(await detail(uploader.accessToken, playlist.id))).toEqual([c, b, a]);
    // Positions count the tracks the owner sees: "before the second one" is before a, not b.
    const d = await insertTrack(t, { ownerId: artistId });
    expect(order(await add(owner.accessToken, playlist.id, [d], 1))).toEqual([c, d, a]);
    expect(order(await detail(uploader.accessToken, playlist.id))).toEqual([c, b, d, a]);
    // Naming the hidden track is stale too: the owner's copy cannot contain it.
    const withHidden = await call(t, owner.accessToken, 'PUT', `/playlists/${playlist.id}/order`, {
      trackIds: [c, b, d, a],
    });
    expect(withHidden.statusCode).toBe(409);
  });

  it(`holds at most ${PLAYLIST_MAX_TRACKS} tracks`, async () => {
    const user = await signUp(t);
    const playlist = await createPlaylist(user.accessToken);
    await t.database.db.query(
      `WITH made AS (
         INSERT INTO tracks (id, owner_id, title, artist, duration_ms, state, source_probe, source_bytes, cover_color,
                             created_at, updated_at)
         SELECT gen_random_uuid(), $1, 'Filler ' || n, 'Filler', 1000, 'ready', '{}', 1, '#000000', now(), now()
         FROM generate_series(1, $3::int) AS n
         RETURNING id
       )
       INSERT INTO playlist_tracks (playlist_id, track_id, position, added_at)
       SELECT $2, id, row_number() OVER () - 1, now() FROM made`,
      [artistId, playlist.id, PLAYLIST_MAX_TRACKS - 1],
    );
    const [x, y] = (await tracks(2)) as [string, string];
    const tooMany = await call(t, user.accessToken, 'POST', `/playlists/${playlist.id}/tracks`, { trackIds: [x, y] });
    expect(tooMany.statusCode).toBe(409);
    expect(errorOf(tooMany)).toEqual({ code: 'CONFLICT', message: expect.stringContaining(`${PLAYLIST_MAX_TRACKS}`) });

    const full = await add(user.accessToken, playlist.id, [x], 0);
    expect(full.playlist.trackCount).toBe(PLAYLIST_MAX_TRACKS);
    expect(full.tracks[0]!.id).toBe(x);
    expect(await positions(playlist.id)).toEqual(dense(PLAYLIST_MAX_TRACKS));
    expect(
      (await call(t, user.accessToken, 'POST', `/playlists/${playlist.id}/tracks`, { trackIds: [y] })).statusCode,
    ).toBe(409);
    // Re-adding a track already there adds nothing, so it is not refused.
    expect((await add(user.accessToken, playlist.id, [x])).playlist.trackCount).toBe(PLAYLIST_MAX_TRACKS);
    const reorder = await call(t, user.accessToken, 'PUT', `/playlists/${playlist.id}/order`, {
      trackIds: order(full).reverse(),
    });
    expect(reorder.statusCode).toBe(200);
    expect(order(reorder.json<PlaylistDetail>())[0]).not.toBe(x);
  });

  it('applies concurrent edits one after the other', async () => {
    const user = await signUp(t);
    const playlist = await createPlaylist(user.accessToken);
    const ids = await tracks(12);
    const responses = await Promise.all(
      ids.map((id, i) =>
        call(t, user.accessToken, 'POST', `/playlists/${playlist.id}/tracks`, { trackIds: [id], position: i % 3 }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
    const result = await detail(user.accessToken, playlist.id);
    expect(new Set(order(result))).toEqual(new Set(ids));
    expect(await positions(playlist.id)).toEqual(dense(12));

    const removals = await Promise.all(
      ids.slice(0, 6).map((id) => call(t, user.accessToken, 'DELETE', `/playlists/${playlist.id}/tracks/${id}`)),
    );
    expect(removals.map((r) => r.statusCode)).toEqual(Array(6).fill(204));
    expect(await positions(playlist.id)).toEqual(dense(6));
  });
});

describe('malformed playlist bodies', () => {
  it('are refused with 400 and the error body', async () => {
    const user = await signUp(t);
    const playlist = await createPlaylist(user.accessToken);
    const uuid = '00000000-0000-4000-8000-000000000000';
    const cases: [string, string, unknown][] = [
      ['POST', '/playlists', {}],
      ['POST', '/playlists', { name: '' }],
      ['POST', '/playlists', { name: '  ' }],
      ['POST', '/playlists', { name: 'x'.repeat(101) }],
      ['POST', '/playlists', { name: 5 }],
      ['POST', '/playlists', { name: 'ok', visibility: 'secret' }],
      ['POST', '/playlists', { name: 'ok', description: 'd'.repeat(1001) }],
      ['POST', '/playlists', { name: 'nul\u0000' }],
      ['POST', '/playlists', { name: 'ok', description: 'nul\u0000' }],
      ['POST', '/playlists', { name: 'ok', ownerId: uuid }],
      ['PATCH', `/playlists/${playlist.id}`, {}],
      ['PATCH', `/playlists/${playlist.id}`, { name: null }],
      ['PATCH', `/playlists/${playlist.id}`, { visibility: 'PUBLIC' }],
      ['PATCH', `/playlists/${playlist.id}`, { name: 'ok', trackCount: 3 }],
      ['POST', `/playlists/${playlist.id}/tracks`, {}],
      ['POST', `/playlists/${playlist.id}/tracks`, { trackIds: [] }],
      ['POST', `/playlists/${playlist.id}/tracks`, { trackIds: ['nope'] }],
      ['POST', `/playlists/${playlist.id}/tracks`, { trackIds: [uuid, uuid] }],
      ['POST', `/playlists/${playlist.id}/tracks`, { trackIds: Array.from({ length: 101 }, () => randomUUID()) }],
      ['POST', `/playlists/${playlist.id}/tracks`, { trackIds: [uuid], position: -1 }],
      ['POST', `/playlists/${playlist.id}/tracks`, { trackIds: [uuid], position: '1' }],
      ['POST', `/playlists/${playlist.id}/tracks`, { trackIds: [uuid], position: 1.5 }],
      ['POST', `/playlists/${playlist.id}/tracks`, { trackIds: uuid }],
      ['PUT', `/playlists/${playlist.id}/order`, {}],
      ['PUT', `/playlists/${playlist.id}/order`, { trackIds: [uuid], extra: true }],
      [
        'PUT',
        `/playlists/${playlist.id}/order`,
        { trackIds: Array.from({ length: PLAYLIST_MAX_TRACKS + 1 }, () => randomUUID()) },
      ],
      ['PUT', `/playlists/not-a-uuid/order`, { trackIds: [] }],
      ['DELETE', `/playlists/${playlist.id}/tracks/not-a-uuid`, undefined],
    ];
    for (const [method, url, body] of cases) {
      const response = await call(t, user.accessToken, method as 'POST', url, body);
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(body)?.slice(0, 80)}`).toBe(400);
      expect(errorOf(response).code).toBe('VALIDATION_FAILED');
    }
  });
});
