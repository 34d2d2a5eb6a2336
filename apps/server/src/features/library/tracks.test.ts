import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACK_SORTS, type Track, type TrackPage, type TrackSort } from '@veza/shared';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { call, errorOf, insertTrack, type TrackSeed } from '../../test-support/tracks.js';

/* Browsing, reading, editing and liking tracks. Tracks are stored directly: the upload pipeline is not under test. */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function page(token: string, query: string): Promise<TrackPage> {
  const response = await call(t, token, 'GET', `/tracks?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<TrackPage>();
}

/** Every page of a listing, following nextCursor; `between` runs before each next page. */
async function allPages(token: string, query: string, between?: () => Promise<void>): Promise<Track[]> {
  const tracks: Track[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages += 1) {
    const result: TrackPage = await page(token, cursor ? `${query}&cursor=${cursor}` : query);
    tracks.push(...result.tracks);
    if (!result.nextCursor) return tracks;
    cursor = result.nextCursor;
    await between?.();
  }
  throw new Error('too many pages');
}

const ids = (tracks: { id: string }[]) => tracks.map((track) => track.id);
/** Distinct creation times, so "oldest first" has one answer. */
const minute = (n: number) => new Date(Date.UTC(2025, 0, 1, 0, n));

describe('listing tracks', () => {
  it('lists ready tracks only, and every state of my own with mine=true', async () => {
    const owner = await signUp(t, 'artist');
    const listener = await signUp(t);
    const admin = await signUp(t, 'admin');
    const ready = await insertTrack(t, { ownerId: owner.user.id, title: 'Ready', createdAt: minute(1) });
    const processing = await insertTrack(t, { ownerId: owner.user.id, state: 'processing', createdAt: minute(2) });
    const failed = await insertTrack(t, { ownerId: owner.user.id, state: 'failed', createdAt: minute(3) });

    for (const viewer of [listener, admin, owner]) {
      expect(ids((await page(viewer.accessToken, `ownerId=${owner.user.id}`)).tracks)).toEqual([ready]);
    }
    const mine = await page(owner.accessToken, 'mine=true&sort=oldest');
    expect(ids(mine.tracks)).toEqual([ready, processing, failed]);
    expect(mine.tracks.map((track) => track.state)).toEqual(['ready', 'processing', 'failed']);
    expect(mine.tracks[2]).toMatchObject({ failureReason: expect.any(String), qualities: [] });
    expect((await page(listener.accessToken, 'mine=true')).tracks).toEqual([]);
    expect(ids((await page(owner.accessToken, `mine=false&ownerId=${owner.user.id}`)).tracks)).toEqual([ready]);
  });

  it('answers Track objects with the caller’s like', async () => {
    const owner = await signUp(t, 'artist');
    const id = await insertTrack(t, {
      ownerId: owner.user.id,
      title: 'Blue',
      artist: 'Miles',
      album: 'Kind of Blue',
      genre: 'Jazz',
      durationMs: 123_456,
    });
    const [track] = (await page(owner.accessToken, `ownerId=${owner.user.id}`)).tracks;
    expect(track).toEqual({
      id,
      ownerId: owner.user.id,
      ownerUsername: owner.user.username,
      title: 'Blue',
      artist: 'Miles',
      album: 'Kind of Blue',
      genre: 'Jazz',
      durationMs: 123_456,
      state: 'ready',
      failureReason: null,
      gainDb: null,
      loudnessLufs: null,
      qualities: ['128k'],
      coverUrl: `/api/v1/tracks/${id}/cover?v=0`,
      coverColor: '#336699',
      playCount: 0,
      likeCount: 0,
      likedByMe: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('filters by artist, album and genre, exactly but ignoring case', async () => {
    const owner = await signUp(t, 'artist');
    const o = owner.user.id;
    const track = (createdAt: Date, artist: string, album: string, genre: string) =>
      insertTrack(t, { ownerId: o, createdAt, artist, album, genre });
    const a = await track(minute(1), 'Nina Simone', 'Pastel Blues', 'Jazz');
    const b = await track(minute(2), 'nina simone', 'pastel blues', 'Soul');
    const c = await track(minute(3), 'Nina Simone Tribute', 'Pastel', 'jazz');
    const token = owner.accessToken;
    const only = async (query: string) => ids((await page(token, `ownerId=${o}&sort=oldest&${query}`)).tracks);

    expect(await only('artist=NINA%20SIMONE')).toEqual([a, b]);
    expect(await only('album=Pastel%20Blues')).toEqual([a, b]);
    expect(await only('album=Pastel')).toEqual([c]);
    expect(await only('genre=JAZZ')).toEqual([a, c]);
    expect(await only('artist=nina%20simone&genre=soul')).toEqual([b]);
    expect(await only('artist=Nina')).toEqual([]);
  });

  it('lists the tracks I like with liked=true', async () => {
    const owner = await signUp(t, 'artist');
    const fan = await signUp(t);
    const other = await signUp(t);
    const [a, , c] = await Promise.all([1, 2, 3].map(() => insertTrack(t, { ownerId: owner.user.id })));
    for (const id of [a!, c!])
      expect((await call(t, fan.accessToken, 'PUT', `/tracks/${id}/like`)).statusCode).toBe(204);

    const liked = await page(fan.accessToken, `ownerId=${owner.user.id}&liked=true`);
    expect(new Set(ids(liked.tracks))).toEqual(new Set([a, c]));
    expect(liked.tracks.every((track) => track.likedByMe && track.likeCount === 1)).toBe(true);
    expect((await page(other.accessToken, `ownerId=${owner.user.id}&liked=true`)).tracks).toEqual([]);
  });

  it('pages with a default of 50 and refuses a limit outside 1..100', async () => {
    const owner = await signUp(t, 'artist');
    await t.database.db.query(
      `INSERT INTO tracks (id, owner_id, title, artist, duration_ms, state, source_probe, source_bytes, cover_color,
                           created_at, updated_at)
       SELECT gen_random_uuid(), $1, 'Bulk ' || n, 'Bulk', 1000, 'ready', '{}', 1, '#000000', now(), now()
       FROM generate_series(1, 120) AS n`,
      [owner.user.id],
    );
    const first = await page(owner.accessToken, `ownerId=${owner.user.id}`);
    expect(first.tracks).toHaveLength(50);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect((await page(owner.accessToken, `ownerId=${owner.user.id}&limit=100`)).tracks).toHaveLength(100);
    expect(await allPages(owner.accessToken, `ownerId=${owner.user.id}&limit=100`)).toHaveLength(120);
    for (const limit of ['0', '101', 'x']) {
      const response = await call(t, owner.accessToken, 'GET', `/tracks?limit=${limit}`);
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('VALIDATION_FAILED');
    }
  });
});

/** The order a sort promises, computed independently of SQL. */
type SeededTrack = Omit<TrackSeed, 'ownerId'> & { id: string };

function expectedOrder(sort: TrackSort, tracks: SeededTrack[]): string[] {
  const key = (track: SeededTrack): (string | number)[] => {
    switch (sort) {
      case 'newest':
      case 'oldest':
        return [track.createdAt!.getTime()];
      case 'title':
        return [track.title!.toLowerCase()];
      case 'artist':
        return [track.artist!.toLowerCase(), track.title!.toLowerCase()];
      case 'popular':
        return [track.playCount!];
      case 'duration':
        return [track.durationMs!];
    }
  };
  const descending = sort === 'newest' || sort === 'popular';
  const compare = (a: (string | number)[], b: (string | number)[]) => {
    for (let i = 0; i < a.length; i += 1) {
      if (a[i]! < b[i]!) return -1;
      if (a[i]! > b[i]!) return 1;
    }
    return 0;
  };
  return [...tracks]
    .sort((x, y) => {
      const order = compare([...key(x), x.id], [...key(y), y.id]);
      return descending ? -order : order;
    })
    .map((track) => track.id);
}

describe('sorting and cursor pagination', () => {
  // Few distinct values, so most rows tie on their sort key and the id must break the tie.
  const seedArbitrary = fc.record({
    title: fc.constantFrom('alpha', 'Alpha', 'bravo', 'CHARLIE', 'charlie'),
    artist: fc.constantFrom('zed', 'Abba', 'abba'),
    durationMs: fc.constantFrom(1000, 2000, 3000),
    playCount: fc.constantFrom(0, 7, 300),
    createdAt: fc.constantFrom(0, 1, 60_000).map((offset) => new Date(Date.UTC(2025, 5, 1) + offset)),
  });

  it('visits every track exactly once, in order, for every sort and page size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(seedArbitrary, { minLength: 0, maxLength: 14 }),
        fc.constantFrom(...TRACK_SORTS),
        fc.integer({ min: 1, max: 5 }),
        async (seeds, sort, limit) => {
          const owner = await signUp(t, 'artist');
          const tracks = await Promise.all(
            seeds.map(async (seed) => ({ ...seed, id: await insertTrack(t, { ...seed, ownerId: owner.user.id }) })),
          );
          const listed = await allPages(owner.accessToken, `ownerId=${owner.user.id}&sort=${sort}&limit=${limit}`);
          expect(ids(listed)).toEqual(expectedOrder(sort, tracks));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('neither repeats nor skips a track when tracks are added between pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(seedArbitrary, { minLength: 1, maxLength: 10 }),
        fc.array(seedArbitrary, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...TRACK_SORTS),
        fc.integer({ min: 1, max: 3 }),
        async (seeds, later, sort, limit) => {
          const owner = await signUp(t, 'artist');
          const original = await Promise.all(seeds.map((seed) => insertTrack(t, { ...seed, ownerId: owner.user.id })));
          const pending = [...later];
          const listed = ids(
            await allPages(owner.accessToken, `ownerId=${owner.user.id}&sort=${sort}&limit=${limit}`, async () => {
              const seed = pending.pop();
              if (seed) await insertTrack(t, { ...seed, ownerId: owner.user.id });
            }),
          );
          expect(new Set(listed).size).toBe(listed.length);
          for (const id of original) expect(listed).toContain(id);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('keeps timestamps to the microsecond in the cursor', async () => {
    const owner = await signUp(t, 'artist');
    const tracks = await Promise.all([1, 2, 3].map(() => insertTrack(t, { ownerId: owner.user.id })));
    // Three tracks a microsecond apart: a cursor rounded to the millisecond would skip or repeat them.
    await t.database.db.query(
      `UPDATE tracks SET created_at = timestamptz '2025-03-01 10:00:00.123456+00' + (array_position($1::uuid[], id) * interval '1 microsecond')
       WHERE id = ANY($1::uuid[])`,
      [tracks],
    );
    expect(ids(await allPages(owner.accessToken, `ownerId=${owner.user.id}&sort=newest&limit=1`))).toEqual(
      [...tracks].reverse(),
    );
    expect(ids(await allPages(owner.accessToken, `ownerId=${owner.user.id}&sort=oldest&limit=1`))).toEqual(tracks);
  });

  it('makes cursors that fit the query for the longest artists and titles', async () => {
    const owner = await signUp(t, 'artist');
    // 200 characters each, the most a title or artist may have, in the bulkiest encodings.
    for (const text of ['😀'.repeat(200), '\u0001'.repeat(199) + 'x', '"\\'.repeat(100)]) {
      await insertTrack(t, { ownerId: owner.user.id, title: text, artist: text });
      await insertTrack(t, { ownerId: owner.user.id, title: text, artist: text });
    }
    for (const sort of ['artist', 'title'] as const) {
      const listed = await allPages(owner.accessToken, `ownerId=${owner.user.id}&sort=${sort}&limit=1`);
      expect(new Set(ids(listed)).size).toBe(6);
    }
  });

  it('refuses a malformed, tampered or foreign cursor with a 400', async () => {
    const owner = await signUp(t, 'artist');
    for (let i = 0; i < 3; i += 1) await insertTrack(t, { ownerId: owner.user.id, title: `t${i}` });
    const real = (await page(owner.accessToken, `ownerId=${owner.user.id}&sort=title&limit=1`)).nextCursor!;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const id = '00000000-0000-4000-8000-000000000000';
    const cursors: [string, string][] = [
      ['title', 'not-a-cursor'],
      ['title', Buffer.from('{"unterminated').toString('base64url')],
      ['title', encode({ s: 'title' })],
      ['title', encode(['title', 'x'])],
      ['title', encode(['title', 'x', 'y', id])],
      ['title', encode(['title', 5, id])],
      ['title', encode(['title', 'x', 'not-a-uuid'])],
      ['title', encode(['title', 'x\u0000', id])],
      ['title', encode(['title', 'x'.repeat(1001), id])],
      ['newest', encode(['newest', '99999999999999999999', id])],
      ['newest', encode(['newest', '1.5', id])],
      ['newest', encode(['newest', 'yesterday', id])],
      ['popular', encode(['popular', '-', id])],
      ['duration', encode(['duration', '9007199254740993', id])],
      // A real cursor, but of another sort.
      ['newest', real],
      ['artist', real],
    ];
    for (const [sort, cursor] of cursors) {
      const response = await call(t, owner.accessToken, 'GET', `/tracks?sort=${sort}&cursor=${cursor}`);
      expect(response.statusCode, `${sort} ${cursor}`).toBe(400);
      expect(errorOf(response)).toEqual({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/cursor/) });
    }
    for (const cursor of ['a+b', 'a/b', 'x'.repeat(4097)]) {
      const response = await call(t, owner.accessToken, 'GET', `/tracks?cursor=${encodeURIComponent(cursor)}`);
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('VALIDATION_FAILED');
    }
    // Values of the right form but from nowhere are just a position: no error.
    const forged = await call(
      t,
      owner.accessToken,
      'GET',
      `/tracks?sort=newest&cursor=${encode(['newest', '-5', id])}`,
    );
    expect(forged.statusCode).toBe(200);
  });

  it('refuses unknown sorts, filters and malformed ones', async () => {
    const user = await signUp(t);
    for (const query of [
      'sort=random',
      'owner=me',
      'ownerId=42',
      'liked=maybe',
      'artist=',
      'genre=' + 'g'.repeat(61),
    ]) {
      const response = await call(t, user.accessToken, 'GET', `/tracks?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(errorOf(response).code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('reading one track', () => {
  it('shows unfinished tracks only to their uploader and admins', async () => {
    const owner = await signUp(t, 'artist');
    const [listener, otherArtist, moderator, admin] = await Promise.all([
      signUp(t),
      signUp(t, 'artist'),
      signUp(t, 'moderator'),
      signUp(t, 'admin'),
    ]);
    const ready = await insertTrack(t, { ownerId: owner.user.id });
    for (const state of ['processing', 'failed'] as const) {
      const hidden = await insertTrack(t, { ownerId: owner.user.id, state });
      for (const viewer of [owner, admin]) {
        const response = await call(t, viewer.accessToken, 'GET', `/tracks/${hidden}`);
        expect(response.statusCode).toBe(200);
        expect(response.json<Track>().state).toBe(state);
      }
      for (const viewer of [listener, otherArtist, moderator]) {
        const response = await call(t, viewer.accessToken, 'GET', `/tracks/${hidden}`);
        expect(response.statusCode).toBe(404);
        expect(errorOf(response).code).toBe('NOT_FOUND');
      }
    }
    expect((await call(t, listener.accessToken, 'GET', `/tracks/${ready}`)).json<Track>().id).toBe(ready);
    expect(
      (await call(t, listener.accessToken, 'GET', `/tracks/00000000-0000-4000-8000-000000000000`)).statusCode,
    ).toBe(404);
    const malformed = await call(t, listener.accessToken, 'GET', '/tracks/not-a-uuid');
    expect(malformed.statusCode).toBe(400);
    expect(errorOf(malformed).code).toBe('VALIDATION_FAILED');
  });
});

describe('editing a track', () => {
  it('lets the uploader edit, trimming text, clearing album and genre with null, and bumping updatedAt', async () => {
    const owner = await signUp(t, 'artist');
    const id = await insertTrack(t, {
      ownerId: owner.user.id,
      album: 'Old album',
      genre: 'Rock',
      createdAt: new Date(Date.now() - 60_000),
    });
    const response = await call(t, owner.accessToken, 'PATCH', `/tracks/${id}`, {
      title: '  New title ',
      artist: 'New artist',
      album: null,
      genre: null,
    });
    expect(response.statusCode, response.body).toBe(200);
    const track = response.json<Track>();
    expect(track).toMatchObject({ title: 'New title', artist: 'New artist', album: null, genre: null });
    expect(Date.parse(track.updatedAt)).toBeGreaterThan(Date.parse(track.createdAt));

    const genreOnly = await call(t, owner.accessToken, 'PATCH', `/tracks/${id}`, { genre: 'Jazz' });
    expect(genreOnly.json<Track>()).toMatchObject({ title: 'New title', genre: 'Jazz' });
    // Search follows the edit (the search column is generated from the row).
    const found = await call(t, owner.accessToken, 'GET', '/search?q=new%20title');
    expect(ids(found.json<{ tracks: Track[] }>().tracks)).toContain(id);
  });

  it('lets the uploader edit an unfinished track, and an admin edit anyone’s', async () => {
    const owner = await signUp(t, 'artist');
    const admin = await signUp(t, 'admin');
    const processing = await insertTrack(t, { ownerId: owner.user.id, state: 'processing' });
    expect((await call(t, owner.accessToken, 'PATCH', `/tracks/${processing}`, { title: 'Mine' })).statusCode).toBe(
      200,
    );
    const byAdmin = await call(t, admin.accessToken, 'PATCH', `/tracks/${processing}`, { title: 'Fixed' });
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.json<Track>()).toMatchObject({ title: 'Fixed', ownerId: owner.user.id });
  });

  it('refuses everyone else: 403 for a track they see, 404 for one they do not', async () => {
    const owner = await signUp(t, 'artist');
    const ready = await insertTrack(t, { ownerId: owner.user.id, title: 'Untouched' });
    const hidden = await insertTrack(t, { ownerId: owner.user.id, state: 'processing' });
    for (const role of ['listener', 'artist', 'moderator'] as const) {
      const other = await signUp(t, role);
      const refused = await call(t, other.accessToken, 'PATCH', `/tracks/${ready}`, { title: 'Hijacked' });
      expect(refused.statusCode, role).toBe(403);
      expect(errorOf(refused).code).toBe('FORBIDDEN');
      const unseen = await call(t, other.accessToken, 'PATCH', `/tracks/${hidden}`, { title: 'Hijacked' });
      expect(unseen.statusCode, role).toBe(404);
    }
    // An uploader who lost the right to upload keeps listening but no longer edits.
    await t.database.db.query(`UPDATE users SET role = 'listener' WHERE id = $1`, [owner.user.id]);
    const demoted = await call(t, owner.accessToken, 'PATCH', `/tracks/${ready}`, { title: 'Hijacked' });
    expect(demoted.statusCode).toBe(403);
    expect((await call(t, owner.accessToken, 'GET', `/tracks/${ready}`)).json<Track>().title).toBe('Untouched');
  });

  it('refuses malformed bodies with 400 and the error body', async () => {
    const owner = await signUp(t, 'artist');
    const id = await insertTrack(t, { ownerId: owner.user.id });
    const bodies: unknown[] = [
      {},
      { title: '' },
      { title: '   ' },
      { title: 'x'.repeat(201) },
      { title: 42 },
      { title: null },
      { artist: ['a'] },
      { genre: 'g'.repeat(61) },
      { title: 'nul\u0000' },
      { title: 'lone \ud800 surrogate' },
      { title: 'ok', owner_id: 'someone' },
      { state: 'ready' },
      [],
    ];
    for (const body of bodies) {
      const response = await call(t, owner.accessToken, 'PATCH', `/tracks/${id}`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(['VALIDATION_FAILED', 'BAD_REQUEST']).toContain(errorOf(response).code);
    }
  });
});

describe('likes', () => {
  const likeCount = async (id: string) =>
    Number((await t.database.db.query('SELECT like_count FROM tracks WHERE id = $1', [id])).rows[0]!.like_count);

  it('are idempotent both ways', async () => {
    const owner = await signUp(t, 'artist');
    const fan = await signUp(t);
    const id = await insertTrack(t, { ownerId: owner.user.id });
    for (let i = 0; i < 2; i += 1)
      expect((await call(t, fan.accessToken, 'PUT', `/tracks/${id}/like`)).statusCode).toBe(204);
    expect((await call(t, fan.accessToken, 'GET', `/tracks/${id}`)).json<Track>()).toMatchObject({
      likeCount: 1,
      likedByMe: true,
    });
    expect((await call(t, owner.accessToken, 'GET', `/tracks/${id}`)).json<Track>().likedByMe).toBe(false);
    for (let i = 0; i < 2; i += 1) {
      expect((await call(t, fan.accessToken, 'DELETE', `/tracks/${id}/like`)).statusCode).toBe(204);
    }
    expect((await call(t, fan.accessToken, 'GET', `/tracks/${id}`)).json<Track>()).toMatchObject({
      likeCount: 0,
      likedByMe: false,
    });
  });

  it('keep the count exact under concurrent requests', async () => {
    const owner = await signUp(t, 'artist');
    const fans = await Promise.all([signUp(t), signUp(t), signUp(t)]);
    const id = await insertTrack(t, { ownerId: owner.user.id });
    const burst = (method: 'PUT' | 'DELETE') =>
      Promise.all(
        fans.flatMap((fan) => Array.from({ length: 20 }, () => call(t, fan.accessToken, method, `/tracks/${id}/like`))),
      );

    expect((await burst('PUT')).map((r) => r.statusCode)).toEqual(Array(60).fill(204));
    expect(await likeCount(id)).toBe(3);
    const { rows } = await t.database.db.query('SELECT count(*)::int AS n FROM track_likes WHERE track_id = $1', [id]);
    expect(rows[0]!.n).toBe(3);
    expect((await burst('DELETE')).map((r) => r.statusCode)).toEqual(Array(60).fill(204));
    expect(await likeCount(id)).toBe(0);
  });

  it('only on tracks the caller can see', async () => {
    const owner = await signUp(t, 'artist');
    const fan = await signUp(t);
    const hidden = await insertTrack(t, { ownerId: owner.user.id, state: 'processing' });
    for (const method of ['PUT', 'DELETE'] as const) {
      expect((await call(t, fan.accessToken, method, `/tracks/${hidden}/like`)).statusCode).toBe(404);
      expect(
        (await call(t, fan.accessToken, method, '/tracks/00000000-0000-4000-8000-000000000000/like')).statusCode,
      ).toBe(404);
    }
    expect((await call(t, owner.accessToken, 'PUT', `/tracks/${hidden}/like`)).statusCode).toBe(204);
    expect(await likeCount(hidden)).toBe(1);
  });
});
