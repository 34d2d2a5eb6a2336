import { describe, expect, it } from 'vitest';
import {
  buildMasterPlaylist,
  isSafeRelativeUri,
  measureVariant,
  parseMediaPlaylist,
  renditionProblem,
} from './playlist.js';

const FFMPEG_PLAYLIST = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:6.016000,
seg_00000.m4s
#EXTINF:5.994667,
seg_00001.m4s
#EXTINF:0.021333,
seg_00002.m4s
#EXT-X-ENDLIST
`;

describe('parseMediaPlaylist', () => {
  it('reads what ffmpeg writes', () => {
    expect(parseMediaPlaylist(FFMPEG_PLAYLIST)).toEqual({
      targetDurationSec: 6,
      mapUri: 'init.mp4',
      ended: true,
      segments: [
        { uri: 'seg_00000.m4s', durationSec: 6.016 },
        { uri: 'seg_00001.m4s', durationSec: 5.994667 },
        { uri: 'seg_00002.m4s', durationSec: 0.021333 },
      ],
    });
  });

  it('accepts CRLF and titles after EXTINF', () => {
    const parsed = parseMediaPlaylist('#EXTM3U\r\n#EXT-X-TARGETDURATION:4\r\n#EXTINF:4.0,intro\r\na.m4s\r\n');
    expect(parsed.segments).toEqual([{ uri: 'a.m4s', durationSec: 4 }]);
    expect(parsed.ended).toBe(false);
  });

  it('rejects what it does not understand', () => {
    expect(() => parseMediaPlaylist('hello')).toThrow(/EXTM3U/);
    expect(() => parseMediaPlaylist('#EXTM3U\nseg.m4s')).toThrow(/without #EXTINF/);
    expect(() => parseMediaPlaylist('#EXTM3U\n#EXTINF:abc,\nseg.m4s')).toThrow(/Bad number/);
    expect(() => parseMediaPlaylist('#EXTM3U\n#EXT-X-MAP:BYTERANGE="1@0"')).toThrow(/URI/);
  });
});

describe('measureVariant', () => {
  const playlist = (durations: number[], target = 6) => ({
    targetDurationSec: target,
    mapUri: 'init.mp4',
    ended: true,
    segments: durations.map((durationSec, i) => ({ uri: `seg_${i}.m4s`, durationSec })),
  });

  it('averages bits over seconds and takes the peak over runs lasting 0.5–1.5 target durations', () => {
    // 6 s at 96 kB (128 kbit/s), 6 s at 192 kB (256 kbit/s), 6 s at 48 kB (64 kbit/s).
    const measured = measureVariant(playlist([6, 6, 6]), [96_000, 192_000, 48_000]);
    expect(measured).toEqual({ bandwidth: 256_000, averageBandwidth: 149_334, durationMs: 18_000, segmentCount: 3 });
  });

  it('does not let a tiny last segment with fixed overhead pose as the peak', () => {
    // The 0.021 s tail holds 800 bytes (≈ 300 kbit/s alone); it only counts together with its neighbour.
    const measured = measureVariant(playlist([6, 6, 0.021333]), [96_000, 96_000, 800]);
    expect(measured.bandwidth).toBeLessThan(130_000);
    expect(measured.bandwidth).toBeGreaterThanOrEqual(measured.averageBandwidth);
  });

  it('falls back to the average when no run is long enough (a track shorter than half a segment)', () => {
    const measured = measureVariant(playlist([2]), [32_000]);
    expect(measured).toEqual({ bandwidth: 128_000, averageBandwidth: 128_000, durationMs: 2000, segmentCount: 1 });
  });

  it('needs one size per segment and something to measure', () => {
    expect(() => measureVariant(playlist([6, 6]), [1])).toThrow(/one byte size/);
    expect(() => measureVariant(playlist([]), [])).toThrow(/no segments/);
  });
});

describe('buildMasterPlaylist', () => {
  it('lists each variant with peak and average bandwidth and the AAC-LC codec, relative URIs only', () => {
    const text = buildMasterPlaylist([
      { playlist: '64k/index.m3u8', bandwidth: 70_123.2, averageBandwidth: 66_000 },
      { playlist: '128k/index.m3u8', bandwidth: 140_000, averageBandwidth: 131_000 },
    ]);
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=70124,AVERAGE-BANDWIDTH=66000,CODECS="mp4a.40.2"',
        '64k/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=131000,CODECS="mp4a.40.2"',
        '128k/index.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('never lets AVERAGE-BANDWIDTH exceed BANDWIDTH', () => {
    const text = buildMasterPlaylist([{ playlist: 'a/index.m3u8', bandwidth: 100, averageBandwidth: 120 }]);
    expect(text).toContain('BANDWIDTH=100,AVERAGE-BANDWIDTH=100,');
  });

  it('refuses absolute or escaping URIs', () => {
    for (const playlist of ['/abs/index.m3u8', 'https://cdn/x.m3u8', '../x/index.m3u8', 'a/../../b.m3u8', '']) {
      expect(() => buildMasterPlaylist([{ playlist, bandwidth: 1, averageBandwidth: 1 }])).toThrow(/relative/);
    }
  });
});

describe('isSafeRelativeUri', () => {
  it('allows plain relative paths only', () => {
    expect(isSafeRelativeUri('seg_00001.m4s')).toBe(true);
    expect(isSafeRelativeUri('128k/index.m3u8')).toBe(true);
    for (const uri of ['/x', 'file:x', 'x?y', '..', './x', 'a//b', 'a b', 'a\\b']) {
      expect(isSafeRelativeUri(uri), uri).toBe(false);
    }
  });
});

describe('renditionProblem', () => {
  it('accepts what transcodeLadder writes and names what is wrong otherwise', () => {
    const good = parseMediaPlaylist(FFMPEG_PLAYLIST);
    expect(renditionProblem(good)).toBeNull();
    expect(renditionProblem({ ...good, ended: false })).toMatch(/ENDLIST/);
    expect(renditionProblem({ ...good, mapUri: '../init.mp4' })).toMatch(/init\.mp4/);
    expect(renditionProblem({ ...good, segments: [{ uri: '../other/seg.m4s', durationSec: 6 }] })).toMatch(/outside/);
    expect(renditionProblem({ ...good, segments: [{ uri: 'sub/seg.m4s', durationSec: 6 }] })).toMatch(/outside/);
  });
});
