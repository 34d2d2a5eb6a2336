export type ByteRange = { start: number; end: number };

/**
 * Reads a `Range` header for a file of `size` bytes (RFC 9110 §14.1.2):
 * - `null`: serve the whole file (no header, another unit, a malformed or inverted range such as
 *   `bytes=100-50`, or several ranges: a server may ignore Range, and players only ask for one);
 * - `'unsatisfiable'`: a well-formed single range that starts past the end (→ 416);
 * - otherwise inclusive bounds, the end clamped to the file.
 */
export function parseByteRange(header: string | null | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (header === null || header === undefined) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    // Suffix form: the last N bytes (all of them when N exceeds the size).
    const length = Number(last);
    if (!Number.isSafeInteger(length)) return null;
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const requestedEnd = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(requestedEnd)) return null;
  if (requestedEnd < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(requestedEnd, size - 1) };
}
