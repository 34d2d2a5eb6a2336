import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downloadFileName } from './service.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}\.m4a$/;

describe('downloadFileName', () => {
  it.each([
    ['Daft Punk', 'One More Time', 'Daft_Punk_-_One_More_Time.m4a'],
    ['Beyonc\u00e9', 'Halo', 'Beyonce_-_Halo.m4a'],
    ['Sigur R\u00f3s', 'Hopp\u00edpolla', 'Sigur_Ros_-_Hoppipolla.m4a'],
    ['Mot\u00f6rhead', '\u00c0 la Fa\u00e7on', 'Motorhead_-_A_la_Facon.m4a'],
    ['Bjo\u0308rk', 'Jo\u0301ga', 'Bjork_-_Joga.m4a'],
    ['\uff21\uff22\uff23', '\ufb01re \u216b', 'ABC_-_fire_XII.m4a'],
    ['AC/DC', 'Back in Black', 'AC_DC_-_Back_in_Black.m4a'],
    ['a', 'b.c_d-e', 'a_-_b.c_d-e.m4a'],
  ])('%j and %j give %j', (artist, title, expected) => {
    expect(downloadFileName(artist, title)).toBe(expected);
  });

  it.each([
    ['../../etc', 'passwd'],
    ['..\\..\\windows', 'system32'],
    ['a\r\nSet-Cookie: x=1', 'b'],
    ['say "hi"', "it's; here"],
    ['%2e%2e%2f', '<script>'],
    ['\u0000', '\u202eevil'],
  ])('replaces what is unsafe in a path or a header: %j, %j', (artist, title) => {
    const name = downloadFileName(artist, title);
    expect(name).toMatch(SAFE_NAME);
    expect(name).not.toMatch(/[/\\\s"';%<>:\r\n\0]/);
  });

  it.each([
    ['', ''],
    ['   ', '   '],
    ['\u6771\u4eac', '\u4e8b\u5909'],
    ['...', '---'],
    ['\ud83c\udfb5', '\ud83c\udfb6'],
    ['\u0000', '\ud800'],
  ])('is never empty: %j, %j', (artist, title) => {
    expect(downloadFileName(artist, title)).toBe('track.m4a');
  });

  it('never starts with a dot, dash or underscore', () => {
    expect(downloadFileName('.hidden', 'x')).toBe('hidden_-_x.m4a');
    expect(downloadFileName('-rf', 'x')).toBe('rf_-_x.m4a');
    expect(downloadFileName('_a', 'x_')).toBe('a_-_x.m4a');
  });

  it('is cut to a bounded length', () => {
    const name = downloadFileName('a'.repeat(300), 'b'.repeat(300));
    expect(name).toBe(`${'a'.repeat(100)}.m4a`);
    expect(name).toMatch(SAFE_NAME);
  });

  it('always matches the safe pattern, whatever the artist and title', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 150 }),
      fc.string({ unit: 'grapheme', maxLength: 150 }),
      fc.string({ unit: fc.constantFrom('.', '-', '_', ' ', '/', '\u00e9', 'a', '\ufdfa', '\u0000'), maxLength: 150 }),
    );
    fc.assert(
      fc.property(text, text, (artist, title) => {
        const name = downloadFileName(artist, title);
        expect(name).toMatch(SAFE_NAME);
        expect(downloadFileName(artist, title)).toBe(name);
      }),
      { numRuns: 5_000 },
    );
  });
});
