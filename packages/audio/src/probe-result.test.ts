import { describe, expect, it } from 'vitest';
import { AudioInputError } from './errors.js';
import { formatDuration, interpretProbe, readTags } from './probe-result.js';

const audio = { codec_type: 'audio', codec_name: 'mp3', sample_rate: '44100', channels: 2, duration: '12.5' };
const cover = { codec_type: 'video', codec_name: 'mjpeg', disposition: { attached_pic: 1 } };

const problem = (output: unknown) => {
  try {
    interpretProbe(output);
  } catch (error) {
    if (error instanceof AudioInputError) return error.problem;
    throw error;
  }
  return null;
};

describe('interpretProbe', () => {
  it('reads an mp3 with cover art', () => {
    expect(
      interpretProbe({
        format: { format_name: 'mp3', duration: '12.6', bit_rate: '128000', tags: { title: 'T', TRACK: '3/9' } },
        streams: [audio, cover],
      }),
    ).toEqual({
      format: 'mp3',
      demuxer: 'mp3',
      codec: 'mp3',
      durationMs: 12_500,
      channels: 2,
      sampleRate: 44_100,
      bitRate: 128_000,
      tags: { title: 'T', trackNumber: '3/9' },
      hasCoverArt: true,
    });
  });

  it('classifies what it refuses', () => {
    expect(problem({ format: { format_name: 'hls' }, streams: [audio] })).toBe('UNSUPPORTED_FORMAT');
    expect(problem({ format: { format_name: 'mp3' }, streams: [] })).toBe('NO_AUDIO');
    expect(problem({ format: { format_name: 'mp3' }, streams: [cover] })).toBe('NO_AUDIO');
    const video = { codec_type: 'video', codec_name: 'h264', disposition: { attached_pic: 0 } };
    expect(problem({ format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2' }, streams: [video, audio] })).toBe(
      'NOT_AUDIO_ONLY',
    );
    expect(problem({ format: { format_name: 'mp3' }, streams: [{ ...audio, codec_name: 'mp2' }] })).toBe(
      'UNSUPPORTED_FORMAT',
    );
    expect(problem({ format: { format_name: 'mp3' }, streams: [{ ...audio, sample_rate: '0' }] })).toBe('UNREADABLE');
    expect(problem(null)).toBe('UNSUPPORTED_FORMAT');
  });

  it('ignores embedded pictures in formats it will not decode', () => {
    const gif = { ...cover, codec_name: 'gif' };
    expect(interpretProbe({ format: { format_name: 'mp3' }, streams: [audio, gif] }).hasCoverArt).toBe(false);
  });

  it('leaves the duration open when neither stream nor container states one', () => {
    const facts = interpretProbe({
      format: { format_name: 'aac' },
      streams: [{ ...audio, codec_name: 'aac', duration: 'N/A' }],
    });
    expect(facts.durationMs).toBeNull();
  });
});

describe('readTags', () => {
  it('normalises key case and aliases, drops control characters, caps length, keeps the first value', () => {
    expect(
      readTags({ TITLE: 'A\u0000B\n', Artist: ' Someone ', YEAR: '1999', tracknumber: '4', title: 'second', x: 'y' }),
    ).toEqual({ title: 'A B', artist: 'Someone', date: '1999', trackNumber: '4' });
    expect(readTags({ album: 'x'.repeat(1000) }).album).toHaveLength(256);
    // Cut by code point, never through the middle of a surrogate pair.
    expect(readTags({ album: '🎵'.repeat(300) }).album).toBe('🎵'.repeat(256));
  });
});

describe('formatDuration', () => {
  it('reads naturally', () => {
    expect(formatDuration(7_500_000)).toBe('2 h 05 min');
    expect(formatDuration(7_200_000)).toBe('2 h');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(4_200)).toBe('4 s');
  });
});
