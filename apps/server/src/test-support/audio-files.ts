import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Formats the server accepts, with the ffmpeg output options that make each. */
export const AUDIO_FORMATS = {
  mp3: { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k'] },
  aac: { ext: 'aac', args: ['-c:a', 'aac', '-b:a', '128k', '-f', 'adts'] },
  m4a: { ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '128k'] },
  flac: { ext: 'flac', args: ['-c:a', 'flac'] },
  wav: { ext: 'wav', args: ['-c:a', 'pcm_s16le'] },
  vorbis: { ext: 'ogg', args: ['-c:a', 'libvorbis', '-q:a', '3'] },
  opus: { ext: 'opus', args: ['-c:a', 'libopus', '-b:a', '96k'] },
  aiff: { ext: 'aiff', args: ['-c:a', 'pcm_s16be'] },
} as const;
export type TestAudioFormat = keyof typeof AUDIO_FORMATS;

export interface ToneOptions {
  seconds: number;
  format?: TestAudioFormat;
  frequency?: number;
  tags?: Record<string, string>;
  /** Embed a small generated picture as cover art (MP3 and M4A only). */
  withCover?: boolean;
  /** The cover's size, e.g. `6000x6000` (then stored as PNG). */
  coverSize?: string;
  name?: string;
}

/** A sine tone (stereo, 44.1 kHz) written with the real ffmpeg, as an artist's file would be. */
export async function makeTone(dir: string, options: ToneOptions): Promise<string> {
  const format = AUDIO_FORMATS[options.format ?? 'mp3'];
  const file = path.join(dir, `${options.name ?? `tone-${options.format ?? 'mp3'}-${options.seconds}s`}.${format.ext}`);
  const args = [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${options.frequency ?? 440}:duration=${options.seconds}:sample_rate=44100`,
  ];
  if (options.withCover) {
    args.push(
      '-f',
      'lavfi',
      '-i',
      `color=c=0x3366cc:s=${options.coverSize ?? '320x240'}:d=1`,
      '-map',
      '0:a',
      '-map',
      '1:v',
      '-frames:v',
      '1',
      '-c:v',
      options.coverSize ? 'png' : 'mjpeg',
      '-disposition:v',
      'attached_pic',
    );
  }
  args.push('-ac', '2');
  for (const [key, value] of Object.entries(options.tags ?? {})) args.push('-metadata', `${key}=${value}`);
  args.push(...format.args, file);
  await run('ffmpeg', args);
  return file;
}

/** A file with `text` as its whole content. */
export async function makeTextFile(dir: string, name: string, text: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** A short video with a sound track: audio-ish container, refused because it has a picture stream. */
export async function makeVideo(dir: string): Promise<string> {
  const file = path.join(dir, 'clip.mp4');
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=10:duration=2',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=330:duration=2',
    '-c:v',
    'mpeg4',
    '-c:a',
    'aac',
    '-shortest',
    file,
  ]);
  return file;
}

/** ffprobe's view of a file or playlist (our own output: the hls demuxer is allowed here). */
export async function ffprobeJson(target: string): Promise<{
  format: { format_name: string; duration?: string };
  streams: { codec_type: string; codec_name: string; profile?: string; sample_rate?: string; channels?: number }[];
}> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-allowed_extensions',
    'ALL',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    target,
  ]);
  return JSON.parse(stdout) as never;
}

/** The average colour of an image, as [r, g, b] (ffmpeg scales it to one pixel). */
export async function averageColor(image: Buffer): Promise<[number, number, number]> {
  const pixel = await new Promise<Buffer>((resolve, reject) => {
    const child = execFile(
      'ffmpeg',
      ['-v', 'error', '-i', 'pipe:0', '-vf', 'scale=1:1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      { encoding: 'buffer' },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
    child.stdin!.end(image);
  });
  return [pixel[0]!, pixel[1]!, pixel[2]!];
}
