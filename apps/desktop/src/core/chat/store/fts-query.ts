/** At most this many words reach MATCH: a pasted paragraph must not become a huge query. */
const MAX_TERMS = 12;
const MAX_TERM_LENGTH = 64;
/** Matches the FTS table's prefix index (`prefix = '3'`): shorter words are not prefixes. */
const MIN_PREFIX = 3;

/**
 * Turns what the user typed into an FTS5 query that cannot be misread as FTS5 syntax: only the
 * word characters the unicode61 tokenizer indexes survive (letters, marks, digits), each word
 * becomes a quoted prefix term ("word"*; words under 3 characters match whole), and the terms are ANDed. Operators (AND OR NOT NEAR),
 * quotes, `*`, `^`, `:`, parentheses and column filters are just text. Returns null when nothing
 * searchable is left.
 */
export function toFtsQuery(input: string): string | null {
  const words = input.normalize('NFC').match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  const terms = [...new Set(words.map((word) => word.slice(0, MAX_TERM_LENGTH).toLowerCase()))].slice(0, MAX_TERMS);
  if (terms.length === 0) return null;
  // Inside double quotes FTS5 takes everything literally; a word holds no quote to escape.
  // Words shorter than the prefix index (3) match whole: "a"* would expand to half the index.
  return terms.map((term) => (term.length >= MIN_PREFIX ? `"${term}"*` : `"${term}"`)).join(' ');
}
