const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

const MP4_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide']);

/**
 * Whether the first bytes look like one of the accepted containers. Only used to word a failure: a file
 * that starts like FLAC but cannot be opened is damaged (UNREADABLE), anything else is UNSUPPORTED_FORMAT.
 */
export function looksLikeAudioContainer(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  const b0 = bytes[0] ?? 0;
  const b1 = bytes[1] ?? 0;
  const head = ascii(bytes, 0, 4);
  return (
    ascii(bytes, 0, 3) === 'ID3' ||
    (b0 === 0xff && (b1 & 0xe0) === 0xe0) ||
    head === 'fLaC' ||
    head === 'OggS' ||
    ((head === 'RIFF' || head === 'RF64') && ascii(bytes, 8, 4) === 'WAVE') ||
    (head === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(bytes, 8, 4))) ||
    MP4_BOXES.has(ascii(bytes, 4, 4))
  );
}
