/** At most this many distinct mentions are resolved per message. */
export const MAX_MENTIONS = 50;

const MENTION = /(?:^|[^\w@.])@([A-Za-z0-9_][A-Za-z0-9_.-]{2,31})/g;

/**
 * The `@username` tokens of a message body, lower-cased and distinct. A trailing "." or "-" is
 * punctuation ("thanks @ada."), not part of the name.
 */
export function parseMentions(body: string): string[] {
  const names = new Set<string>();
  for (const match of body.matchAll(MENTION)) {
    const name = match[1]!.replace(/[.-]+$/, '').toLowerCase();
    if (name.length >= 3) names.add(name);
    if (names.size >= MAX_MENTIONS) break;
  }
  return [...names];
}
