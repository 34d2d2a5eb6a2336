import { describe, expect, it } from 'vitest';
import { DEFAULT_LADDER } from '../ladder-rungs.js';
import { DEMO_PIECES } from '../synth-pieces.js';
import { coverArgs } from './cover.js';
import { decodeCheckArgs } from './decode-check.js';
import { ladderArgs } from './ladder.js';
import { loudnessArgs } from './loudness.js';
import { packageArgs } from './package.js';
import { peaksArgs } from './peaks.js';
import { placeholderArgs } from './placeholder.js';
import { durationScanArgs, probeArgs } from './probe.js';
import { synthesizeArgs } from './synthesize.js';

const UPLOAD = '/srv/uploads/concat:a|b.mp3';

describe('argument builders', () => {
  it('probeArgs whitelists protocols and demuxers and addresses the upload as a file: URL', () => {
    expect(probeArgs(UPLOAD)).toMatchInlineSnapshot(`
      [
        "-hide_banner",
        "-loglevel",
        "warning",
        "-max_pixels",
        "16777216",
        "-protocol_whitelist",
        "file,pipe",
        "-format_whitelist",
        "mp3,aac,mov,flac,wav,ogg,aiff",
        "-i",
        "file:/srv/uploads/concat:a|b.mp3",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
      ]
    `);
  });

  it('durationScanArgs forces the probed demuxer', () => {
    expect(durationScanArgs(UPLOAD, 'aac')).toMatchInlineSnapshot(`
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-nostats",
        "-progress",
        "pipe:1",
        "-max_pixels",
        "16777216",
        "-protocol_whitelist",
        "file,pipe",
        "-format_whitelist",
        "mp3,aac,mov,flac,wav,ogg,aiff",
        "-f",
        "aac",
        "-i",
        "file:/srv/uploads/concat:a|b.mp3",
        "-map",
        "0:a:0",
        "-c",
        "copy",
        "-f",
        "null",
        "-",
      ]
    `);
  });

  it('decodeCheckArgs forces the probed demuxer', () => {
    expect(decodeCheckArgs(UPLOAD, 'mp3')).toMatchInlineSnapshot(`
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-nostats",
        "-progress",
        "pipe:1",
        "-max_pixels",
        "16777216",
        "-protocol_whitelist",
        "file,pipe",
        "-format_whitelist",
        "mp3,aac,mov,flac,wav,ogg,aiff",
        "-f",
        "mp3",
        "-i",
        "file:/srv/uploads/concat:a|b.mp3",
        "-map",
        "0:a:0",
        "-f",
        "null",
        "-",
      ]
    `);
  });

  it('ladderArgs: one decode, one HLS output per rung, relative paths, loudness branch', () => {
    expect(ladderArgs({ file: UPLOAD, demuxer: 'mp3' }, DEFAULT_LADDER, { segmentSeconds: 6, measureLoudness: true }))
      .toMatchInlineSnapshot(`
        [
          "-hide_banner",
          "-nostdin",
          "-loglevel",
          "info",
          "-nostats",
          "-progress",
          "pipe:1",
          "-max_pixels",
          "16777216",
          "-protocol_whitelist",
          "file,pipe",
          "-format_whitelist",
          "mp3,aac,mov,flac,wav,ogg,aiff",
          "-f",
          "mp3",
          "-i",
          "file:/srv/uploads/concat:a|b.mp3",
          "-filter_complex",
          "[0:a:0]aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,asplit=4[r0][r1][r2][loud];[loud]ebur128=peak=true:framelog=verbose,anullsink",
          "-map",
          "[r0]",
          "-map_metadata",
          "-1",
          "-map_chapters",
          "-1",
          "-c:a",
          "aac",
          "-profile:a",
          "aac_low",
          "-aac_coder",
          "fast",
          "-b:a",
          "64000",
          "-f",
          "hls",
          "-hls_time",
          "6",
          "-hls_playlist_type",
          "vod",
          "-hls_segment_type",
          "fmp4",
          "-hls_fmp4_init_filename",
          "init.mp4",
          "-hls_segment_filename",
          "64k/seg_%05d.m4s",
          "64k/index.m3u8",
          "-map",
          "[r1]",
          "-map_metadata",
          "-1",
          "-map_chapters",
          "-1",
          "-c:a",
          "aac",
          "-profile:a",
          "aac_low",
          "-aac_coder",
          "fast",
          "-b:a",
          "128000",
          "-f",
          "hls",
          "-hls_time",
          "6",
          "-hls_playlist_type",
          "vod",
          "-hls_segment_type",
          "fmp4",
          "-hls_fmp4_init_filename",
          "init.mp4",
          "-hls_segment_filename",
          "128k/seg_%05d.m4s",
          "128k/index.m3u8",
          "-map",
          "[r2]",
          "-map_metadata",
          "-1",
          "-map_chapters",
          "-1",
          "-c:a",
          "aac",
          "-profile:a",
          "aac_low",
          "-aac_coder",
          "fast",
          "-aac_ms",
          "0",
          "-b:a",
          "256000",
          "-f",
          "hls",
          "-hls_time",
          "6",
          "-hls_playlist_type",
          "vod",
          "-hls_segment_type",
          "fmp4",
          "-hls_fmp4_init_filename",
          "init.mp4",
          "-hls_segment_filename",
          "256k/seg_%05d.m4s",
          "256k/index.m3u8",
        ]
      `);
  });

  it('loudnessArgs', () => {
    expect(loudnessArgs(UPLOAD, 'flac')).toMatchInlineSnapshot(`
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "info",
        "-nostats",
        "-max_pixels",
        "16777216",
        "-protocol_whitelist",
        "file,pipe",
        "-format_whitelist",
        "mp3,aac,mov,flac,wav,ogg,aiff",
        "-f",
        "flac",
        "-i",
        "file:/srv/uploads/concat:a|b.mp3",
        "-map",
        "0:a:0",
        "-af",
        "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,ebur128=peak=true:framelog=verbose",
        "-f",
        "null",
        "-",
      ]
    `);
  });

  it('peaksArgs', () => {
    expect(peaksArgs(UPLOAD, 'ogg', 16_000)).toMatchInlineSnapshot(`
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-max_pixels",
        "16777216",
        "-protocol_whitelist",
        "file,pipe",
        "-format_whitelist",
        "mp3,aac,mov,flac,wav,ogg,aiff",
        "-f",
        "ogg",
        "-i",
        "file:/srv/uploads/concat:a|b.mp3",
        "-map",
        "0:a:0",
        "-af",
        "aformat=sample_fmts=s16:sample_rates=16000:channel_layouts=mono",
        "-c:a",
        "pcm_s16le",
        "-f",
        "s16le",
        "pipe:1",
      ]
    `);
  });

  it('coverArgs', () => {
    expect(coverArgs(UPLOAD, 'mp3', '/tmp/out/cover.jpg', 512)).toMatchInlineSnapshot(`
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-max_pixels",
        "16777216",
        "-protocol_whitelist",
        "file,pipe",
        "-format_whitelist",
        "mp3,aac,mov,flac,wav,ogg,aiff",
        "-f",
        "mp3",
        "-i",
        "file:/srv/uploads/concat:a|b.mp3",
        "-map",
        "0:v:0",
        "-frames:v",
        "1",
        "-vf",
        "scale=512:512:force_original_aspect_ratio=increase,crop=512:512,format=yuvj420p",
        "-c:v",
        "mjpeg",
        "-q:v",
        "3",
        "-f",
        "image2",
        "-update",
        "1",
        "-y",
        "file:/tmp/out/cover.jpg",
      ]
    `);
  });

  it('placeholderArgs', () => {
    expect(placeholderArgs('/tmp/out/cover.jpg', ['#3b6ea5', '#2a4a8c'], 512)).toMatchInlineSnapshot(`
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "gradients=s=512x512:c0=0x3b6ea5:c1=0x2a4a8c:x0=0:y0=0:x1=512:y1=512:nb_colors=2:d=1",
        "-frames:v",
        "1",
        "-vf",
        "scale=512:512:force_original_aspect_ratio=increase,crop=512:512,format=yuvj420p",
        "-c:v",
        "mjpeg",
        "-q:v",
        "3",
        "-f",
        "image2",
        "-update",
        "1",
        "-y",
        "file:/tmp/out/cover.jpg",
      ]
    `);
  });

  it('packageArgs', () => {
    expect(packageArgs('/tmp/hls/128k', '/tmp/out/track.m4a')).toMatchInlineSnapshot(`
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-protocol_whitelist",
        "file",
        "-f",
        "hls",
        "-i",
        "file:/tmp/hls/128k/index.m3u8",
        "-map",
        "0:a:0",
        "-c",
        "copy",
        "-map_metadata",
        "-1",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        "-y",
        "file:/tmp/out/track.m4a",
      ]
    `);
  });

  it('synthesizeArgs', () => {
    expect(synthesizeArgs(DEMO_PIECES[0]!, '/tmp/out/slow-tides.flac')).toMatchSnapshot();
    for (const piece of DEMO_PIECES.slice(1))
      expect(synthesizeArgs(piece, `/tmp/out/${piece.slug}.flac`)).toMatchSnapshot();
  });

  it('refuses values that would be spliced unchecked into commands', () => {
    expect(() => decodeCheckArgs(UPLOAD, 'hls')).toThrow(/not allowed/);
    expect(() => decodeCheckArgs(UPLOAD, 'concat')).toThrow(/not allowed/);
    expect(() => placeholderArgs('/tmp/x.jpg', ['#fff', '#000000'], 512)).toThrow(/colour/);
    expect(() => placeholderArgs('/tmp/x.jpg', ["#000000:c2=red'", '#000000'], 512)).toThrow(/colour/);
    expect(() => coverArgs(UPLOAD, 'mp3', '/tmp/x.jpg', 100_000)).toThrow(RangeError);
    expect(() =>
      ladderArgs({ file: UPLOAD, demuxer: 'mp3' }, [{ id: '../x', bitrate: 64_000 }], {
        segmentSeconds: 6,
        measureLoudness: false,
      }),
    ).toThrow(/rung id/);
    expect(() =>
      ladderArgs({ file: UPLOAD, demuxer: 'mp3' }, [{ id: '%v', bitrate: 64_000 }], {
        segmentSeconds: 6,
        measureLoudness: false,
      }),
    ).toThrow(/rung id/);
    expect(() => synthesizeArgs({ ...DEMO_PIECES[0]!, slug: 'unknown' }, '/tmp/x.flac')).toThrow(/No recipe/);
  });
});
