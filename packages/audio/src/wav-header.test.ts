import { describe, expect, it } from 'vitest';
import { declaredWavDurationMs } from './wav-header.js';

function wavHeader(dataSize: number, extraChunk = 0): Uint8Array {
  const bytes = new Uint8Array(44 + (extraChunk ? 8 + extraChunk + (extraChunk % 2) : 0));
  const view = new DataView(bytes.buffer);
  const write = (offset: number, text: string) => [...text].forEach((c, i) => (bytes[offset + i] = c.charCodeAt(0)));
  write(0, 'RIFF');
  write(8, 'WAVE');
  write(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 2, true);
  view.setUint32(24, 44_100, true);
  view.setUint32(28, 176_400, true);
  let offset = 36;
  if (extraChunk) {
    write(offset, 'LIST');
    view.setUint32(offset + 4, extraChunk, true);
    offset += 8 + extraChunk + (extraChunk % 2);
  }
  write(offset, 'data');
  view.setUint32(offset + 4, dataSize, true);
  return bytes;
}

describe('declaredWavDurationMs', () => {
  it('reads the data chunk size, skipping other chunks', () => {
    expect(declaredWavDurationMs(wavHeader(176_400 * 10))).toBe(10_000);
    expect(declaredWavDurationMs(wavHeader(176_400 * 3, 7))).toBe(3000);
  });

  it('returns null for streamed WAVs and non-WAV data', () => {
    expect(declaredWavDurationMs(wavHeader(0))).toBeNull();
    expect(declaredWavDurationMs(wavHeader(0xffffffff))).toBeNull();
    expect(declaredWavDurationMs(new TextEncoder().encode('not a wav file at all'))).toBeNull();
    expect(declaredWavDurationMs(wavHeader(100).subarray(0, 40))).toBeNull();
  });
});
