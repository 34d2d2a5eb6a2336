import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioToolsMissingError } from './errors.js';
import { tempDir, tools } from './test-support/fixtures.js';
import { checkAudioTools, findAudioTools } from './tools.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir('tools')));
afterAll(() => remove());

async function fakeBinary(folder: string, name: string, script: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, name);
  await writeFile(file, `#!/bin/sh\n${script}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('findAudioTools', () => {
  it('searches PATH in order', async () => {
    const first = path.join(dir, 'first');
    const ffmpeg = await fakeBinary(first, 'ffmpeg', 'exit 0');
    const ffprobe = await fakeBinary(path.join(dir, 'second'), 'ffprobe', 'exit 0');
    await writeFile(path.join(first, 'ffprobe'), 'not executable');
    const env = { PATH: [path.join(dir, 'missing'), first, path.join(dir, 'second')].join(path.delimiter) };
    expect(findAudioTools(env)).toEqual({ ffmpeg, ffprobe });
  });

  it('prefers VEZA_FFMPEG / VEZA_FFPROBE', () => {
    expect(findAudioTools({ PATH: '', VEZA_FFMPEG: tools.ffmpeg, VEZA_FFPROBE: tools.ffprobe })).toEqual(tools);
  });

  it('says what to install or which variable to fix', () => {
    expect(() => findAudioTools({ PATH: dir })).toThrow(AudioToolsMissingError);
    expect(() => findAudioTools({ PATH: dir })).toThrow(/ffmpeg was not found on PATH\. Install FFmpeg .*VEZA_FFMPEG/);
    expect(() => findAudioTools({ PATH: '', VEZA_FFMPEG: '/nope/ffmpeg', VEZA_FFPROBE: tools.ffprobe })).toThrow(
      /VEZA_FFMPEG is set to "\/nope\/ffmpeg", which is not an executable file/,
    );
  });
});

describe('checkAudioTools', () => {
  it('reports both versions', async () => {
    const versions = await checkAudioTools(tools);
    expect(versions.ffmpegVersion).toMatch(/^\d+\.\d+/);
    expect(versions.ffprobeVersion).toBe(versions.ffmpegVersion);
  });

  it('fails clearly for a binary that is not ffmpeg or does not run', async () => {
    const impostor = await fakeBinary(path.join(dir, 'impostor'), 'ffmpeg', 'echo hello');
    const broken = await fakeBinary(path.join(dir, 'broken'), 'ffprobe', 'exit 3');
    await expect(checkAudioTools({ ffmpeg: impostor, ffprobe: tools.ffprobe })).rejects.toThrow(
      /does not look like ffmpeg/,
    );
    await expect(checkAudioTools({ ffmpeg: tools.ffmpeg, ffprobe: broken })).rejects.toThrow(
      /did not run as ffprobe.*Install FFmpeg/,
    );
    await expect(checkAudioTools({ ffmpeg: '/nope/ffmpeg', ffprobe: tools.ffprobe })).rejects.toBeInstanceOf(
      AudioToolsMissingError,
    );
  });
});
