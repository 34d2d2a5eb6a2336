import { describe, expect, it } from 'vitest';
import { ALLOWED_DEMUXERS, classifyFormat } from './formats.js';

describe('classifyFormat', () => {
  it('maps each accepted container and codec to a format and the demuxer to force', () => {
    expect(classifyFormat('mp3', 'mp3')).toEqual({ format: 'mp3', demuxer: 'mp3' });
    expect(classifyFormat('aac', 'aac')).toEqual({ format: 'aac', demuxer: 'aac' });
    expect(classifyFormat('mov,mp4,m4a,3gp,3g2,mj2', 'aac')).toEqual({ format: 'm4a', demuxer: 'mov' });
    expect(classifyFormat('mov,mp4,m4a,3gp,3g2,mj2', 'alac')).toEqual({ format: 'm4a', demuxer: 'mov' });
    expect(classifyFormat('flac', 'flac')).toEqual({ format: 'flac', demuxer: 'flac' });
    expect(classifyFormat('wav', 'pcm_s24le')).toEqual({ format: 'wav', demuxer: 'wav' });
    expect(classifyFormat('ogg', 'vorbis')).toEqual({ format: 'ogg', demuxer: 'ogg' });
    expect(classifyFormat('ogg', 'opus')).toEqual({ format: 'ogg', demuxer: 'ogg' });
    expect(classifyFormat('aiff', 'pcm_s16be')).toEqual({ format: 'aiff', demuxer: 'aiff' });
  });

  it('rejects other demuxers and odd codecs inside accepted containers', () => {
    expect(classifyFormat('hls', 'aac')).toBeNull();
    expect(classifyFormat('concat', 'pcm_s16le')).toBeNull();
    expect(classifyFormat('matroska,webm', 'opus')).toBeNull();
    expect(classifyFormat('mov,mp4,m4a,3gp,3g2,mj2', 'h264')).toBeNull();
    expect(classifyFormat('wav', 'adpcm_ms')).toBeNull();
    expect(classifyFormat('ogg', 'theora')).toBeNull();
  });

  it('whitelists exactly the demuxers it can classify', () => {
    expect(ALLOWED_DEMUXERS).toEqual(['mp3', 'aac', 'mov', 'flac', 'wav', 'ogg', 'aiff']);
  });
});
