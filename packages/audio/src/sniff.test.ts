import { describe, expect, it } from 'vitest';
import { looksLikeAudioContainer } from './sniff.js';

const ascii = (text: string) => new Uint8Array([...text.padEnd(16, '\0')].map((c) => c.charCodeAt(0)));

describe('looksLikeAudioContainer', () => {
  it('recognises the accepted containers by their first bytes', () => {
    expect(looksLikeAudioContainer(ascii('RIFF\0\0\0\0WAVEfmt '))).toBe(true);
    expect(looksLikeAudioContainer(ascii('fLaC'))).toBe(true);
    expect(looksLikeAudioContainer(ascii('OggS'))).toBe(true);
    expect(looksLikeAudioContainer(ascii('ID3\u0004'))).toBe(true);
    expect(looksLikeAudioContainer(ascii('FORM\0\0\0\0AIFF'))).toBe(true);
    expect(looksLikeAudioContainer(ascii('\0\0\0\u0020ftypM4A '))).toBe(true);
    expect(looksLikeAudioContainer(new Uint8Array([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(true);
    expect(looksLikeAudioContainer(ascii('#EXTM3U\n'))).toBe(false);
    expect(looksLikeAudioContainer(ascii('\u0089PNG\r\n\u001a\n'))).toBe(false);
    expect(looksLikeAudioContainer(ascii('ffconcat version'))).toBe(false);
  });
});
