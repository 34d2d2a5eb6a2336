import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findAudioTools } from '../tools.js';

const run = promisify(execFile);

export const tools = findAudioTools();

/** A fresh temporary folder, and a function that removes it. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `veza-audio-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs ffmpeg quietly for fixture generation (not through the code under test). */
export async function ffmpeg(args: readonly string[]): Promise<void> {
  await run(tools.ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);
}

export async function ffprobeJson(args: readonly string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(tools.ffprobe, ['-hide_banner', '-loglevel', 'error', '-print_format', 'json', ...args]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

export interface ToneOptions {
  seconds: number;
  frequency?: number;
  /** Linear amplitude of the sine, 0–1. */
  amplitude?: number;
  channels?: number;
  sampleRate?: number;
}

/** lavfi input arguments for a sine tone (lavfi's sine is 1/8 of full scale, hence the ×8). */
export function toneInput(options: ToneOptions): string[] {
  const { seconds, frequency = 440, amplitude = 0.5, channels = 2, sampleRate = 44_100 } = options;
  return [
    '-f',
    'lavfi',
    '-i',
    `sine=f=${frequency}:sample_rate=${sampleRate}:d=${seconds},volume=${amplitude * 8}`,
    '-ac',
    String(channels),
  ];
}

/** Pink noise with a slow swell: busy enough that AAC has to spend its bit rate. */
export function noiseInput(seconds: number, channels = 2): string[] {
  return [
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=c=pink:r=44100:a=0.3:seed=42:d=${seconds},tremolo=f=0.5:d=0.5`,
    '-ac',
    String(channels),
  ];
}

export const TEST_TAGS = {
  title: 'Test Tone',
  artist: 'Veza Tests',
  album: 'Fixtures',
  genre: 'Ambient',
  date: '2024',
  track: '3',
};

export const tagArgs = (): string[] =>
  Object.entries(TEST_TAGS).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]);

export interface FormatFixture {
  name: string;
  extension: string;
  encode: string[];
  expected: { format: string; demuxer: string; codec: string };
}

/** One file per accepted format, each carrying TEST_TAGS. */
export const FORMAT_FIXTURES: readonly FormatFixture[] = [
  {
    name: 'mp3',
    extension: 'mp3',
    encode: ['-c:a', 'libmp3lame', '-b:a', '128k'],
    expected: { format: 'mp3', demuxer: 'mp3', codec: 'mp3' },
  },
  {
    name: 'aac (ADTS)',
    extension: 'aac',
    encode: ['-c:a', 'aac', '-b:a', '128k', '-f', 'adts', '-write_id3v2', '1'],
    expected: { format: 'aac', demuxer: 'aac', codec: 'aac' },
  },
  {
    name: 'm4a',
    extension: 'm4a',
    encode: ['-c:a', 'aac', '-b:a', '128k', '-f', 'mp4'],
    expected: { format: 'm4a', demuxer: 'mov', codec: 'aac' },
  },
  {
    name: 'flac',
    extension: 'flac',
    encode: ['-c:a', 'flac'],
    expected: { format: 'flac', demuxer: 'flac', codec: 'flac' },
  },
  {
    name: 'wav',
    extension: 'wav',
    encode: ['-c:a', 'pcm_s16le'],
    expected: { format: 'wav', demuxer: 'wav', codec: 'pcm_s16le' },
  },
  {
    name: 'ogg vorbis',
    extension: 'ogg',
    encode: ['-c:a', 'libvorbis', '-q:a', '4'],
    expected: { format: 'ogg', demuxer: 'ogg', codec: 'vorbis' },
  },
  {
    name: 'ogg opus',
    extension: 'opus',
    encode: ['-c:a', 'libopus', '-b:a', '96k', '-f', 'ogg'],
    expected: { format: 'ogg', demuxer: 'ogg', codec: 'opus' },
  },
  {
    name: 'aiff',
    extension: 'aiff',
    encode: ['-c:a', 'pcm_s16be', '-write_id3v2', '1'],
    expected: { format: 'aiff', demuxer: 'aiff', codec: 'pcm_s16be' },
  },
];

export async function makeFormatFixture(dir: string, fixture: FormatFixture, seconds: number): Promise<string> {
  const file = path.join(dir, `tone-${fixture.extension}.${fixture.extension}`);
  await ffmpeg([...toneInput({ seconds }), ...tagArgs(), ...fixture.encode, file]);
  return file;
}

/** Whether a process id still exists (signal 0 only checks). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
