/**
 * Letters (anything with a case) and how many are capitals; caseless scripts count for neither.
 * UTF-16 unit by unit: astral letters with case (rare) are not counted.
 */
export function countCapitals(body: string): { letters: number; capitals: number } {
  let letters = 0;
  let capitals = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    // ASCII without allocating; the rest (rare) through the string functions.
    if (c < 128) {
      if (c >= 65 && c <= 90) {
        letters++;
        capitals++;
      } else if (c >= 97 && c <= 122) letters++;
      continue;
    }
    const ch = body[i]!;
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    if (lower === upper) continue;
    letters++;
    if (ch === upper) capitals++;
  }
  return { letters, capitals };
}

/**
 * "The same message again" ignores case and spacing only: repeats compare the new message with
 * up to a hundred earlier ones, so this must stay cheap (simplify the new one once, then compare).
 */
export function simplifyMessage(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
