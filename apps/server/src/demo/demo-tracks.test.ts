import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PIECES, findAudioTools } from '@veza/audio';
import { systemClock } from '../infra/clock.js';
import { createLogger } from '../infra/logger.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { waitForState } from '../test-support/media.js';
import { seedDemoTracks } from './demo-tracks.js';
import { seedDemo } from './seed.js';

let t: TestApp;
let dataDir: string;

beforeAll(async () => {
  t = await createTestApp({ limits: { transcodeConcurrency: 2 } });
  dataDir = await mkdtemp(path.join(tmpdir(), 'veza-demo-tracks-'));
  await seedDemo({ db: t.database.db, clock: systemClock, logger: createLogger('silent'), dataDir, production: false });
});

afterAll(async () => {
  await t?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const seed = () =>
  seedDemoTracks({
    db: t.database.db,
    logger: createLogger('silent'),
    media: t.app.veza.media,
    tools: findAudioTools(),
    signal: new AbortController().signal,
  });

describe('demo tracks', () => {
  it('synthesises and uploads distinct 1–3 minute pieces with titles and cover colours, all of which become ready', async () => {
    expect(await seed()).toBe(DEMO_PIECES.length);
    const { rows } = await t.database.db.query<{
      id: string;
      title: string;
      artist: string;
      genre: string;
      duration_ms: number;
      cover_color: string;
      username: string;
    }>(
      `SELECT t.id, t.title, t.artist, t.genre, t.duration_ms, t.cover_color, u.username
       FROM tracks t JOIN users u ON u.id = t.owner_id ORDER BY t.title`,
    );
    expect(rows.map((r) => r.title)).toEqual(DEMO_PIECES.map((p) => p.title).sort());
    expect(DEMO_PIECES.length).toBeGreaterThanOrEqual(4);
    for (const row of rows) {
      const piece = DEMO_PIECES.find((p) => p.title === row.title)!;
      expect(row).toMatchObject({
        artist: piece.artist,
        genre: piece.genre,
        cover_color: piece.coverColor,
        username: 'demo-artist',
      });
      expect(row.duration_ms).toBeGreaterThanOrEqual(60_000);
      expect(row.duration_ms).toBeLessThanOrEqual(180_000);
      expect(Math.abs(row.duration_ms - piece.durationSec * 1000)).toBeLessThan(100);
    }
    for (const row of rows) await waitForState(t, row.id, 'ready', 180_000);
    // Distinct pieces, not one tone five times: their loudness measurements differ.
    const { rows: loudness } = await t.database.db.query<{ loudness_lufs: number }>('SELECT loudness_lufs FROM tracks');
    expect(new Set(loudness.map((r) => r.loudness_lufs.toFixed(1))).size).toBeGreaterThan(1);
  }, 300_000);

  it('adds nothing when the demo artist already has tracks', async () => {
    expect(await seed()).toBe(0);
  });
});
