const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

/**
 * The duration a WAV header claims from its `data` chunk size. ffmpeg ignores a size that runs past the
 * end of the file and estimates from the file size instead, so the claim has to be read here for a cut
 * upload to be caught. Null when unknowable: streamed WAVs (size 0 or 0xFFFFFFFF), RF64, or chunks that
 * lie beyond `bytes`.
 */
export function declaredWavDurationMs(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return null;
  let byteRate = 0;
  for (let offset = 12; offset + 8 <= bytes.length;) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ' && offset + 20 <= bytes.length) byteRate = view.getUint32(offset + 16, true);
    if (id === 'data') return byteRate > 0 && !UNKNOWN_SIZES.has(size) ? (size / byteRate) * 1000 : null;
    offset += 8 + size + (size % 2);
  }
  return null;
}
