import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from './probe.js';
import { DEMO_PIECES } from './synth-pieces.js';
import { synthesizeDemoPiece } from './synth.js';
import { tempDir, tools } from './test-support/fixtures.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir('synth')));
afterAll(() => remove());

describe('DEMO_PIECES', () => {
  it('are five distinct pieces of one to three minutes', () => {
    expect(DEMO_PIECES).toHaveLength(5);
    expect(new Set(DEMO_PIECES.map((piece) => piece.slug)).size).toBe(5);
    expect(new Set(DEMO_PIECES.map((piece) => piece.title)).size).toBe(5);
    for (const piece of DEMO_PIECES) {
      expect(piece.durationSec).toBeGreaterThanOrEqual(60);
      expect(piece.durationSec).toBeLessThanOrEqual(180);
      expect(piece.coverColor).toMatch(/^#[0-9a-f]{6}$/);
    }
  });

  it.each(DEMO_PIECES)('$slug synthesises quickly and probes back with its tags and length', async (piece) => {
    const file = path.join(dir, `${piece.slug}.flac`);
    await synthesizeDemoPiece(piece, file, { tools });
    const probed = await probe(file, { tools });
    expect(probed).toMatchObject({ format: 'flac', channels: 2, sampleRate: 44_100 });
    expect(probed.tags).toMatchObject({
      title: piece.title,
      artist: piece.artist,
      album: piece.album,
      genre: piece.genre,
    });
    expect(Math.abs(probed.durationMs - piece.durationSec * 1000)).toBeLessThanOrEqual(100);
  });
});
