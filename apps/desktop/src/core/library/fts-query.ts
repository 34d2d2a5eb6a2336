/** Enough words for any real search; more would only make a slower query. */
const MAX_TERMS = 8;
const MAX_TERM_LENGTH = 64;
/** What unicode61 treats as parts of words: letters, digits, marks. Everything else separates. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * Turns what the user typed into an FTS5 query that cannot be a syntax error: every word is
 * quoted (so `AND`, `NEAR`, `*`, `"`, `:`, `^` and parentheses are never operators) and made a
 * prefix (`"beyon"*`), and all must match. The tokenizer (unicode61, remove_diacritics 2) folds
 * case and accents on both sides, so `beyonce` finds `Beyoncé`. Null when nothing searchable is
 * left (only punctuation): the caller answers "no results" without touching SQLite.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.normalize('NFKC').match(WORD) ?? [];
  const terms = words.slice(0, MAX_TERMS).map((word) => `"${[...word].slice(0, MAX_TERM_LENGTH).join('')}"*`);
  return terms.length > 0 ? terms.join(' ') : null;
}
