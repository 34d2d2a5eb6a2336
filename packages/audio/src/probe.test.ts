import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcodeLadder } from './ladder.js';
import { probe, verifyDecodes } from './probe.js';
import { FORMAT_FIXTURES, TEST_TAGS, makeFormatFixture, tempDir, tools } from './test-support/fixtures.js';

const SECONDS = 5;
let dir: string;
let remove: () => Promise<void>;
const files = new Map<string, string>();

beforeAll(async () => {
  ({ dir, remove } = await tempDir('formats'));
  for (const fixture of FORMAT_FIXTURES) files.set(fixture.name, await makeFormatFixture(dir, fixture, SECONDS));
});
afterAll(() => remove());

describe.each(FORMAT_FIXTURES)('$name', (fixture) => {
  it('probes with format, codec, duration and tags, decodes, and transcodes', async () => {
    const file = files.get(fixture.name) ?? '';
    const probed = await probe(file, { tools });
    expect(probed).toMatchObject({ ...fixture.expected, channels: 2, hasCoverArt: false });
    expect(probed.sampleRate).toBe(fixture.expected.codec === 'opus' ? 48_000 : 44_100);
    expect(Math.abs(probed.durationMs - SECONDS * 1000)).toBeLessThanOrEqual(100);
    expect(probed.tags).toEqual({
      title: TEST_TAGS.title,
      artist: TEST_TAGS.artist,
      album: TEST_TAGS.album,
      genre: TEST_TAGS.genre,
      date: TEST_TAGS.date,
      trackNumber: TEST_TAGS.track,
    });

    const { decodedMs } = await verifyDecodes(file, probed, { tools });
    expect(Math.abs(decodedMs - SECONDS * 1000)).toBeLessThanOrEqual(100);

    const ladder = await transcodeLadder({ file, probed }, path.join(dir, `hls-${fixture.extension}`), undefined, {
      tools,
    });
    expect(ladder.variants.map((variant) => variant.id)).toEqual(['64k', '128k', '256k']);
    for (const variant of ladder.variants) expect(Math.abs(variant.durationMs - SECONDS * 1000)).toBeLessThan(100);
  });
});
