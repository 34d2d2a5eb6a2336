/** Letters (anything with a case) and how many are capitals; caseless scripts count for neither. */
export function countCapitals(body: string): { letters: number; capitals: number } {
  let letters = 0;
  let capitals = 0;
  for (const ch of body) {
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
 * up to a hundred earlier ones, so this must stay cheap.
 */
export function sameMessage(a: string, b: string): boolean {
  return simplify(a) === simplify(b);
}

function simplify(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
