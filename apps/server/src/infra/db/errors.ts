/**
 * PostgreSQL errors caused by what a client sent, not by the server: text with U+0000 or
 * unpaired surrogates, or a value of the wrong form. Schemas refuse these first; this is the
 * backstop, so such input is a 400, never a 500.
 */
const BAD_INPUT_CODES = new Set([
  '22021', // character_not_in_repertoire (U+0000 in text)
  '22P05', // untranslatable_character (a \u0000 or lone surrogate escape in jsonb)
  '22P02', // invalid_text_representation (e.g. a malformed uuid)
  '54000', // program_limit_exceeded (e.g. a tsvector too large)
]);

export function isBadInputError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && BAD_INPUT_CODES.has(code);
}

export const BAD_INPUT_MESSAGE = 'The request contains text or values the server cannot store.';
