import { describe, expect, it } from 'vitest';
import { openCacheDatabase } from '../cache/database.js';
import { toFtsQuery } from './fts-query.js';

describe('toFtsQuery', () => {
  it.each([
    ['beyonce', '"beyonce"*'],
    ['  Beyoncé   Halo ', '"Beyoncé"* "Halo"*'],
    ['title:halo', '"title"* "halo"*'],
    ['"quoted" AND (x OR y)', '"quoted"* "AND"* "x"* "OR"* "y"*'],
    ['***', null],
    ['', null],
    ['🎵', null],
    ['naïve café', '"naïve"* "café"*'],
  ])('%j → %j', (input, expected) => {
    expect(toFtsQuery(input)).toBe(expected);
  });

  it('keeps at most 8 words of at most 64 characters', () => {
    const query = toFtsQuery(`${'a'.repeat(100)} b c d e f g h i j`)!;
    expect(query.split(' ')).toHaveLength(8);
    expect(query.startsWith(`"${'a'.repeat(64)}"*`)).toBe(true);
  });

  it('never makes SQLite throw, whatever the input', () => {
    const db = openCacheDatabase(':memory:');
    db.prepare(
      `INSERT INTO tracks (id, owner_id, title, artist, album, genre, duration_ms, state, play_count, liked_by_me,
                           created_at, data, last_seen) VALUES ('t', 'o', 'Crème brûlée', 'Beyoncé', NULL, NULL, 1, 'ready', 0, 0, '', '{}', '')`,
    ).run();
    const search = db.prepare('SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ?');
    const inputs = [
      '"',
      "'",
      '*',
      '^',
      'NEAR(',
      'a:b',
      '{title}:x',
      'AND',
      'OR NOT',
      '\u0000',
      '\uD800',
      '-x',
      'ẞ',
      'ß',
    ];
    for (const input of inputs) {
      const query = toFtsQuery(input);
      if (query) expect(() => search.all(query)).not.toThrow();
    }
    expect(search.all(toFtsQuery('creme brulee')!)).toHaveLength(1);
    expect(search.all(toFtsQuery('BEYONCE')!)).toHaveLength(1);
    expect(search.all(toFtsQuery('beyon')!)).toHaveLength(1);
    db.close();
  });
});
