import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractCoverArt, renderPlaceholderCover } from './cover.js';
import { placeholderColors } from './placeholder-colors.js';
import { probe } from './probe.js';
import { ffmpeg, ffprobeJson, tempDir, toneInput, tools } from './test-support/fixtures.js';

let dir: string;
let remove: () => Promise<void>;
const at = (name: string) => path.join(dir, name);
beforeAll(async () => ({ dir, remove } = await tempDir('cover')));
afterAll(() => remove());

async function imageInfo(file: string) {
  const info = (await ffprobeJson(['-show_streams', file])) as {
    streams: { codec_name: string; width: number; height: number }[];
  };
  return info.streams[0];
}

/** Average colour of an 8×8 corner, as [r, g, b]. */
async function cornerColor(file: string, x: number, y: number): Promise<number[]> {
  const { stdout } = await promisify(execFile)(
    tools.ffmpeg,
    ['-v', 'error', '-i', file, '-vf', `crop=8:8:${x}:${y},scale=1:1`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer' },
  );
  return [...stdout.subarray(0, 3)];
}

const hexToRgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

describe('extractCoverArt', () => {
  it('writes the embedded picture as a square JPEG, cropped to fill', async () => {
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=s=300x200', '-frames:v', '1', at('art.png')]);
    await ffmpeg([
      ...toneInput({ seconds: 3 }),
      '-i',
      at('art.png'),
      '-map',
      '0:a',
      '-map',
      '1:v',
      '-c:a',
      'libmp3lame',
      '-c:v',
      'png',
      '-disposition:v',
      'attached_pic',
      at('with-cover.mp3'),
    ]);
    const probed = await probe(at('with-cover.mp3'), { tools });
    expect(probed.hasCoverArt).toBe(true);
    expect(await extractCoverArt({ file: at('with-cover.mp3'), probed }, at('cover.jpg'), { tools })).toBe(true);
    expect(await imageInfo(at('cover.jpg'))).toMatchObject({ codec_name: 'mjpeg', width: 512, height: 512 });
    await extractCoverArt({ file: at('with-cover.mp3'), probed }, at('small.jpg'), { tools, size: 128 });
    expect(await imageInfo(at('small.jpg'))).toMatchObject({ width: 128, height: 128 });
  });

  it('returns false when there is no picture', async () => {
    await ffmpeg([...toneInput({ seconds: 2 }), at('plain.flac')]);
    const probed = await probe(at('plain.flac'), { tools });
    expect(await extractCoverArt({ file: at('plain.flac'), probed }, at('none.jpg'), { tools })).toBe(false);
    await expect(stat(at('none.jpg'))).rejects.toThrow(/ENOENT/);
  });
});

describe('renderPlaceholderCover', () => {
  it('renders a size×size JPEG running from the first colour to the second', async () => {
    await renderPlaceholderCover(at('placeholder.jpg'), { tools, seed: 'track-42' });
    expect(await imageInfo(at('placeholder.jpg'))).toMatchObject({ codec_name: 'mjpeg', width: 512, height: 512 });
    const [from, to] = placeholderColors('track-42').map(hexToRgb);
    const topLeft = await cornerColor(at('placeholder.jpg'), 0, 0);
    const bottomRight = await cornerColor(at('placeholder.jpg'), 504, 504);
    topLeft.forEach((channel, i) => expect(Math.abs(channel - (from?.[i] ?? 0))).toBeLessThan(24));
    bottomRight.forEach((channel, i) => expect(Math.abs(channel - (to?.[i] ?? 0))).toBeLessThan(24));
  });

  it('takes an explicit colour and size', async () => {
    await renderPlaceholderCover(at('red.jpg'), { tools, seed: 'x', color: '#c0392b', size: 256 });
    expect(await imageInfo(at('red.jpg'))).toMatchObject({ width: 256, height: 256 });
    const topLeft = await cornerColor(at('red.jpg'), 0, 0);
    topLeft.forEach((channel, i) => expect(Math.abs(channel - (hexToRgb('#c0392b')[i] ?? 0))).toBeLessThan(24));
  });
});
