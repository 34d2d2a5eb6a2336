import path from 'node:path';

/**
 * Turns the path of a custom-scheme URL into a file inside `root`, or null. Works on the raw
 * path text, before anything decodes it: a `..` or `.` segment (plain or percent-encoded), an
 * encoded slash or backslash, a NUL, a backslash or a drive letter is refused outright rather than
 * normalised, then the result is checked to still be inside `root`.
 */
export function resolveUnderRoot(root: string, rawPath: string): string | null {
  const relative = safeRelativeSegments(rawPath);
  if (relative === null || relative.length === 0) return null;
  const resolvedRoot = path.resolve(root);
  const candidate = path.resolve(resolvedRoot, ...relative);
  const inside = path.relative(resolvedRoot, candidate);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return null;
  return candidate;
}

/** The decoded segments of a URL path, or null when any of them could escape a folder. */
export function safeRelativeSegments(rawPath: string): string[] | null {
  if (rawPath.includes('\\') || rawPath.includes('\0')) return null;
  // %2f (/), %5c (\) and %00 would smuggle separators or NULs through decoding.
  if (/%(2f|5c|00)/i.test(rawPath)) return null;
  const segments: string[] = [];
  for (const encoded of rawPath.split('/')) {
    if (encoded === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || segment.includes('/') || segment.includes('\\')) return null;
    if (segment.includes('\0') || /^[a-z]:/i.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/**
 * The path part of a URL string exactly as written (no dot-segment removal, no decoding):
 * `veza://app/a/../b?x#y` → `/a/../b`. Null when the URL has no `scheme://host` prefix.
 */
export function rawUrlPath(url: string): string | null {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(url);
  if (!match) return null;
  return match[1] || '/';
}
