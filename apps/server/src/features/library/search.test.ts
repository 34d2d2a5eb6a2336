import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResult } from '@veza/shared';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { call, errorOf, insertTrack } from '../../test-support/tracks.js';
import { LIBRARY_ROUTE_LIMITS } from './route-support.js';

/* Full-text search over titles, artists and albums. Each test uses its own words: they share one library. */

let t: TestApp;
let token: string;
let ownerId: string;
beforeAll(async () => {
  t = await createTestApp();
  const owner = await signUp(t, 'artist');
  ownerId = owner.user.id;
  token = (await signUp(t)).accessToken;
});
afterAll(async () => {
  await t.close();
});

async function search(q: string, as = token): Promise<SearchResult> {
  const response = await call(t, as, 'GET', `/search?q=${encodeURIComponent(q)}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<SearchResult>();
}
const titles = (result: SearchResult) => result.tracks.map((track) => track.title).sort();

describe('search', () => {
  it('ignores accents in the query and in the library, both ways', async () => {
    await insertTrack(t, { ownerId, title: 'Été indien' });
    await insertTrack(t, { ownerId, title: 'ete sauvage' });
    await insertTrack(t, { ownerId, title: 'Crème brûlée', artist: 'Bjørk Ødegård' });
    for (const q of ['Éte', 'ete', 'ÉTÉ', 'été'])
      expect(titles(await search(q)), q).toEqual(['ete sauvage', 'Été indien']);
    expect(titles(await search('creme brulee'))).toEqual(['Crème brûlée']);
    expect(titles(await search('CRÈME'))).toEqual(['Crème brûlée']);
    expect(titles(await search('bjork odegard'))).toEqual(['Crème brûlée']);
  });

  it('matches the word being typed as a prefix', async () => {
    await insertTrack(t, {
      ownerId,
      title: 'Moonlight Sonata',
      artist: 'Ludwig van Beethoven',
      album: 'Piano Sonatas',
    });
    for (const q of ['beeth', 'Beethov', 'moonlight beeth', 'moon', 'ludwig van b', 'sonat']) {
      expect(titles(await search(q)), q).toEqual(['Moonlight Sonata']);
    }
    // A finished word (followed by a space) is matched whole.
    expect(titles(await search('beeth '))).toEqual([]);
    expect(titles(await search('beethoven '))).toEqual(['Moonlight Sonata']);
    // Web search syntax still works: phrases, or, exclusion.
    expect(titles(await search('"moonlight sonata"'))).toEqual(['Moonlight Sonata']);
    expect(titles(await search('"sonata moonlight"'))).toEqual([]);
    expect(titles(await search('nocturne or moonl'))).toEqual(['Moonlight Sonata']);
    expect(titles(await search('moonlight -beethoven'))).toEqual([]);
  });

  it('ranks a title match above an artist match above an album match', async () => {
    const album = await insertTrack(t, { ownerId, title: 'First', artist: 'Someone', album: 'Zephyrine' });
    const artist = await insertTrack(t, { ownerId, title: 'Second', artist: 'Zephyrine' });
    const title = await insertTrack(t, { ownerId, title: 'Zephyrine', artist: 'Someone else' });
    expect((await search('zephyrine')).tracks.map((track) => track.id)).toEqual([title, artist, album]);
    expect((await search('zephyr')).tracks.map((track) => track.id)).toEqual([title, artist, album]);
  });

  it('finds ready tracks only, even for their uploader', async () => {
    const owner = await signUp(t, 'artist');
    await insertTrack(t, { ownerId: owner.user.id, title: 'Quasar ready' });
    await insertTrack(t, { ownerId: owner.user.id, title: 'Quasar processing', state: 'processing' });
    await insertTrack(t, { ownerId: owner.user.id, title: 'Quasar failed', state: 'failed', album: 'Quasar' });
    for (const as of [token, owner.accessToken]) {
      const result = await search('quasar', as);
      expect(titles(result)).toEqual(['Quasar ready']);
      expect(result.albums).toEqual([]);
    }
  });

  it('sums up matching artists and albums', async () => {
    const a1 = await insertTrack(t, {
      ownerId,
      title: 'One',
      artist: 'Xylo Band',
      album: 'Wooden Keys',
      createdAt: new Date(Date.now() - 60_000),
    });
    await insertTrack(t, { ownerId, title: 'Two', artist: 'xylo band', album: 'Wooden Keys' });
    await insertTrack(t, { ownerId, title: 'Three', artist: 'Xylo Band', album: 'Metal Keys' });
    await insertTrack(t, { ownerId, title: 'Four', artist: 'Xylo Band', state: 'processing' });
    await insertTrack(t, { ownerId, title: 'Xylophone solo', artist: 'Nobody' });

    const byArtist = await search('xylo band');
    expect(byArtist.artists).toEqual([{ name: expect.stringMatching(/^xylo band$/i), trackCount: 3 }]);
    expect(titles(byArtist)).toEqual(['One', 'Three', 'Two']);

    const byAlbum = await search('wooden');
    expect(byAlbum.albums).toEqual([
      {
        name: 'Wooden Keys',
        artist: expect.stringMatching(/^xylo band$/i),
        trackCount: 2,
        coverUrl: expect.any(String),
      },
    ]);
    expect(byAlbum.albums[0]!.coverUrl).toBe(`/api/v1/tracks/${a1}/cover?v=0`);
    expect(byAlbum.artists).toEqual([]);

    // A title match is not an artist.
    const byPrefix = await search('xylo');
    expect(byPrefix.artists.map((artist) => artist.name.toLowerCase())).toEqual(['xylo band']);
    expect(titles(byPrefix)).toEqual(['One', 'Three', 'Two', 'Xylophone solo']);
  });

  it('honours limit', async () => {
    for (let i = 0; i < 4; i += 1) await insertTrack(t, { ownerId, title: `Limitless ${i}`, album: `Limitless ${i}` });
    const response = await call(t, token, 'GET', '/search?q=limitless&limit=2');
    expect(response.json<SearchResult>().tracks).toHaveLength(2);
    expect(response.json<SearchResult>().albums).toHaveLength(2);
    expect((await search('limitless')).tracks).toHaveLength(4);
  });

  it('answers hostile or odd queries cleanly, never with a 500', async () => {
    await insertTrack(t, { ownerId, title: "O'Neil & Sons: the (best) <-> of | all!" });
    const user = await signUp(t);
    const queries = [
      "'); DROP TABLE tracks;--",
      ':*',
      '&|!',
      '!!!',
      '(',
      ')',
      '<->',
      "'",
      "''",
      '"',
      '"unclosed phrase',
      '-',
      'or',
      'and or not',
      '\\',
      'a:*b',
      'x:A',
      '%_',
      '😀',
      'ﬁ ½ ℌ ©',
      "o'neil",
      'the (best',
      'x'.repeat(200),
      'a '.repeat(100).trim(),
    ];
    for (const q of queries) {
      const response = await call(t, user.accessToken, 'GET', `/search?q=${encodeURIComponent(q)}`);
      expect(response.statusCode, `${q}: ${response.body}`).toBe(200);
    }
    expect(titles(await search("o'neil & sons", user.accessToken))).toEqual([
      "O'Neil & Sons: the (best) <-> of | all!",
    ]);
    const { rows } = await t.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tracks');
    expect(rows[0]!.n).toBeGreaterThan(0);

    for (const q of ['', '   ', 'x'.repeat(201), 'nul\u0000']) {
      const response = await call(t, user.accessToken, 'GET', `/search?q=${encodeURIComponent(q)}`);
      expect(response.statusCode, JSON.stringify(q)).toBe(400);
      expect(errorOf(response).code).toBe('VALIDATION_FAILED');
    }
    for (const query of ['', 'q=a&limit=0', 'q=a&limit=51', 'q=a&sort=title', 'q=a&q=b']) {
      const response = await call(t, user.accessToken, 'GET', `/search?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(errorOf(response).code).toBe('VALIDATION_FAILED');
    }
  });

  it('limits searches per user', async () => {
    const [busy, other] = await Promise.all([signUp(t), signUp(t)]);
    const max = LIBRARY_ROUTE_LIMITS.searchesPerMinute;
    for (let i = 0; i < max; i += 1) {
      expect((await call(t, busy.accessToken, 'GET', '/search?q=anything')).statusCode).toBe(200);
    }
    const refused = await call(t, busy.accessToken, 'GET', '/search?q=anything');
    expect(refused.statusCode).toBe(429);
    expect(errorOf(refused).code).toBe('RATE_LIMITED');
    expect((await call(t, other.accessToken, 'GET', '/search?q=anything')).statusCode).toBe(200);
  });
});
