import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENRE_MAX_LENGTH, NON_BLANK_TEXT, TRACK_FIELD_MAX_LENGTH, TRACK_TITLE_MAX_LENGTH } from '@veza/shared';
import { AppError } from '../../infra/errors.js';
import { cleanTag, coverColorFor, parseUploadFields, resolveMetadata } from './track-metadata.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\ufeff]/;
const codePoints = (text: string): number => Array.from(text).length;

describe('cleanTag', () => {
  it('passes undefined through', () => {
    expect(cleanTag(undefined, 10)).toBeUndefined();
  });

  it.each([
    ['Song\u0000Title', 'Song Title'],
    ['Song\u0007\u0008', 'Song'],
    ['\u001bEscape', 'Escape'],
    ['A\u007fB', 'A B'],
    ['A\u0085B\u009fC', 'A B C'],
    ['\ufeffTitle', 'Title'],
    ['Ti\ufefftle', 'Ti tle'],
    ['a\ud800b', 'a b'],
    ['a\udc00b', 'a b'],
    ['end\ud83d', 'end'],
    ['\ude00start', 'start'],
    ['  lots \t of\r\n\n   space  ', 'lots of space'],
    ['non\u00a0breaking', 'non breaking'],
  ])('cleans %j to %j', (input, expected) => {
    expect(cleanTag(input, 200)).toBe(expected);
  });

  it.each([
    'Beyonc\u00e9',
    'Sigur R\u00f3s',
    'Bj\u00f6rk Gu\u00f0mundsd\u00f3ttir',
    '\u6771\u4eac\u4e8b\u5909',
    '\u0645\u0631\u062d\u0628\u0627',
    '\ud83c\udfb5 Song \ud83c\udfb6',
    '\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67',
    'e\u0301t\u00e9',
    '\u00c5ngstr\u00f6m',
  ])('keeps %j as it is', (text) => {
    expect(cleanTag(text, 200)).toBe(text);
  });

  it.each(['', ' ', '\t\n', '\u0000\u0001', '\ufeff', '\ud800', '\udc00 \ud800', '\u0085\u00a0'])(
    'gives undefined for the blank %j',
    (text) => {
      expect(cleanTag(text, 200)).toBeUndefined();
    },
  );

  it('cuts to the limit in characters, never inside a surrogate pair', () => {
    expect(cleanTag('a'.repeat(250), 200)).toBe('a'.repeat(200));
    expect(cleanTag('\ud83d\ude00'.repeat(10), 5)).toBe('\ud83d\ude00'.repeat(5));
    expect(cleanTag(`a${'\ud83d\ude00'.repeat(3)}`, 2)).toBe('a\ud83d\ude00');
    // A cut that ends on a space leaves no trailing space.
    expect(cleanTag('abc def', 4)).toBe('abc');
  });

  it('always gives printable, trimmed, storable text within the limit, or undefined', () => {
    const nonBlank = new RegExp(NON_BLANK_TEXT, 'u');
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      fc
        .array(fc.constantFrom('a', ' ', '\u0000', '\ufeff', '\ud83d', '\ude00', '\ud83d\ude00', '\u00e9', '\t'), {
          maxLength: 40,
        })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 30 }), (input, max) => {
        const cleaned = cleanTag(input, max);
        if (cleaned === undefined) {
          // Only when nothing printable was there.
          expect(input.replace(/[\u0000-\u001f\u007f-\u009f\ufeff\ud800-\udfff]|\s/g, '')).toBe(''); // eslint-disable-line no-control-regex
          return;
        }
        expect(cleaned).not.toBe('');
        expect(cleaned).toBe(cleaned.trim());
        expect(cleaned).not.toMatch(/\s\s/);
        expect(cleaned).not.toMatch(LONE_SURROGATE);
        expect(cleaned).not.toMatch(CONTROL);
        expect(codePoints(cleaned)).toBeLessThanOrEqual(max);
        expect(cleaned).toMatch(nonBlank);
        // Idempotent: cleaning again changes nothing.
        expect(cleanTag(cleaned, max)).toBe(cleaned);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('resolveMetadata', () => {
  const tags = { title: 'Tag Title', artist: 'Tag Artist', album: 'Tag Album', genre: 'Tag Genre' };

  it('what the uploader typed wins over the tags', () => {
    const fields = { title: 'Typed Title', artist: 'Typed Artist', album: 'Typed Album', genre: 'Typed Genre' };
    expect(resolveMetadata(fields, tags, 'file.mp3', 'uploader')).toEqual({
      title: 'Typed Title',
      artist: 'Typed Artist',
      album: 'Typed Album',
      genre: 'Typed Genre',
    });
  });

  it('trims what the uploader typed', () => {
    const fields = { title: '  Spaced Title ', artist: '\tArtist\n', album: ' A ', genre: ' Jazz ' };
    expect(resolveMetadata(fields, {}, 'file.mp3', 'uploader')).toEqual({
      title: 'Spaced Title',
      artist: 'Artist',
      album: 'A',
      genre: 'Jazz',
    });
  });

  it('tags fill what was not typed', () => {
    expect(resolveMetadata({ title: 'Typed Title' }, tags, 'file.mp3', 'uploader')).toEqual({
      title: 'Typed Title',
      artist: 'Tag Artist',
      album: 'Tag Album',
      genre: 'Tag Genre',
    });
    expect(resolveMetadata({ artist: 'Typed' }, tags, 'file.mp3', 'uploader').title).toBe('Tag Title');
  });

  it('without fields or tags: the file name for the title, the uploader for the artist, no album or genre', () => {
    expect(resolveMetadata({}, {}, '01_My Song.flac', 'alice')).toEqual({
      title: '01 My Song',
      artist: 'alice',
      album: null,
      genre: null,
    });
  });

  it('tags are cleaned and cut to the limits of their fields', () => {
    const resolved = resolveMetadata(
      {},
      {
        title: `\ufeff${'t'.repeat(TRACK_TITLE_MAX_LENGTH + 50)}`,
        artist: `A\u0000B${'a'.repeat(TRACK_FIELD_MAX_LENGTH)}`,
        album: 'x'.repeat(TRACK_FIELD_MAX_LENGTH + 1),
        genre: 'g'.repeat(GENRE_MAX_LENGTH + 1),
      },
      'file.mp3',
      'uploader',
    );
    expect(resolved.title).toBe('t'.repeat(TRACK_TITLE_MAX_LENGTH));
    expect(resolved.artist.startsWith('A B')).toBe(true);
    expect(resolved.artist).toHaveLength(TRACK_FIELD_MAX_LENGTH);
    expect(resolved.album).toHaveLength(TRACK_FIELD_MAX_LENGTH);
    expect(resolved.genre).toBe('g'.repeat(GENRE_MAX_LENGTH));
  });

  it('blank tags count as missing', () => {
    expect(
      resolveMetadata({}, { title: ' \u0000 ', artist: '\ufeff', album: '', genre: '\ud800' }, 'Name.mp3', 'bob'),
    ).toEqual({ title: 'Name', artist: 'bob', album: null, genre: null });
  });

  it.each([
    ['C:\\music\\01_My Song.flac', '01 My Song'],
    ['C:\\Users\\me\\Music\\Beyonc\u00e9 - Halo.m4a', 'Beyonc\u00e9 - Halo'],
    ['../../etc/passwd', 'passwd'],
    ['/var/tmp/upload/track.wav', 'track'],
    ['no extension', 'no extension'],
    ['My.Song.v2.mp3', 'My.Song.v2'],
    ['song.', 'song'],
    ['a/b/', 'b'],
    ['__init__.ogg', 'init'],
    ['  spaced   out  .mp3', 'spaced out'],
    ['tab\there.mp3', 'tab here'],
    ['x\u0000y.mp3', 'x y'],
    ['\ud83c\udfb5 emoji.flac', '\ud83c\udfb5 emoji'],
  ])('takes the title from the file name %j', (fileName, title) => {
    expect(resolveMetadata({}, {}, fileName, 'u').title).toBe(title);
  });

  it.each(['', '.hidden', '.mp3', '___.mp3', '/', '\u0000.mp3', '   .wav'])(
    'falls back to Untitled when the file name %j gives nothing',
    (fileName) => {
      expect(resolveMetadata({}, {}, fileName, 'u').title).toBe('Untitled');
    },
  );

  it('a long file name is cut to the title limit', () => {
    const title = resolveMetadata({}, {}, `${'n'.repeat(300)}.mp3`, 'u').title;
    expect(title).toBe('n'.repeat(TRACK_TITLE_MAX_LENGTH));
  });

  it('never gives a title or artist that is blank, too long or unstorable', () => {
    const nonBlank = new RegExp(NON_BLANK_TEXT, 'u');
    const maybe = fc.option(fc.string({ unit: 'binary', maxLength: 300 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({ title: maybe, artist: maybe, album: maybe, genre: maybe }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        (fileTags, fileName) => {
          const resolved = resolveMetadata({}, fileTags, fileName, 'uploader');
          expect(resolved.title).toMatch(nonBlank);
          expect(codePoints(resolved.title)).toBeLessThanOrEqual(TRACK_TITLE_MAX_LENGTH);
          expect(resolved.artist).toMatch(nonBlank);
          expect(codePoints(resolved.artist)).toBeLessThanOrEqual(TRACK_FIELD_MAX_LENGTH);
          if (resolved.album !== null) expect(codePoints(resolved.album)).toBeLessThanOrEqual(TRACK_FIELD_MAX_LENGTH);
          if (resolved.genre !== null) expect(codePoints(resolved.genre)).toBeLessThanOrEqual(GENRE_MAX_LENGTH);
          // A title from a tag may hold a slash (AC/DC); one made from the file name never keeps its path.
          if (cleanTag(fileTags.title, TRACK_TITLE_MAX_LENGTH) === undefined) expect(resolved.title).not.toContain('/');
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('parseUploadFields', () => {
  const rejects = (fields: Record<string, string>): AppError => {
    try {
      parseUploadFields(fields);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      return error as AppError;
    }
    throw new Error(`accepted ${JSON.stringify(fields)}`);
  };

  it('accepts no fields, or any of the four', () => {
    expect(parseUploadFields({})).toEqual({});
    const all = { title: 'T', artist: 'A', album: 'Al', genre: 'G' };
    expect(parseUploadFields(all)).toEqual(all);
    expect(parseUploadFields({ title: 'x'.repeat(TRACK_TITLE_MAX_LENGTH) }).title).toHaveLength(TRACK_TITLE_MAX_LENGTH);
    expect(parseUploadFields({ genre: 'g'.repeat(GENRE_MAX_LENGTH) }).genre).toHaveLength(GENRE_MAX_LENGTH);
    expect(parseUploadFields({ title: 'Beyonc\u00e9 \ud83c\udfb5' }).title).toBe('Beyonc\u00e9 \ud83c\udfb5');
  });

  it('rejects unknown fields, naming them', () => {
    expect(rejects({ title: 'ok', owner: 'someone-else' }).message).toBe('body.owner is not allowed.');
    rejects({ __proto__x: 'x' });
    rejects({ Title: 'x' });
  });

  it('rejects values that are too long', () => {
    expect(rejects({ title: 'x'.repeat(TRACK_TITLE_MAX_LENGTH + 1) }).message).toMatch(/^body\.title /);
    rejects({ artist: 'x'.repeat(TRACK_FIELD_MAX_LENGTH + 1) });
    rejects({ album: 'x'.repeat(TRACK_FIELD_MAX_LENGTH + 1) });
    expect(rejects({ genre: 'x'.repeat(GENRE_MAX_LENGTH + 1) }).message).toMatch(/^body\.genre /);
  });

  it.each([
    ['NUL', { title: 'a\u0000b' }],
    ['NUL in the album', { album: '\u0000' }],
    ['lone surrogate', { artist: 'a\ud800' }],
    ['empty', { title: '' }],
    ['blank', { genre: '   ' }],
  ])('rejects %s', (_name, fields) => {
    rejects(fields);
  });
});

describe('coverColorFor', () => {
  it('is stable for a track and differs between tracks', () => {
    const id = '3f1c2a44-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
    expect(coverColorFor(id)).toBe(coverColorFor(id));
    const colours = new Set(Array.from({ length: 50 }, (_, n) => coverColorFor(`track-${n}`)));
    expect(colours.size).toBeGreaterThan(10);
  });

  it('is always a valid lower-case #rrggbb', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), fc.string({ unit: 'binary' })), (id) => {
        expect(coverColorFor(id)).toMatch(/^#[0-9a-f]{6}$/);
      }),
      { numRuns: 2_000 },
    );
  });
});
