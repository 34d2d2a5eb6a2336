import { Type, type Static } from 'typebox';
import { ERROR_CODES } from '../errors.js';

export const ErrorBodySchema = Type.Object({
  error: Type.Object({
    code: Type.Enum(ERROR_CODES),
    message: Type.String(),
    /** On server errors (500): the request's X-Request-Id, which its log lines carry too. */
    requestId: Type.Optional(Type.String()),
  }),
});
export type ErrorBodyDto = Static<typeof ErrorBodySchema>;

/**
 * Canonical UUIDs only. The `uuid` format alone also accepts "urn:uuid:…", which PostgreSQL
 * refuses.
 */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const UuidSchema = Type.String({ format: 'uuid', pattern: UUID_PATTERN });

/**
 * Text that PostgreSQL can store: no U+0000 and no unpaired surrogate (the server validates
 * patterns with Unicode regular expressions, where a surrogate range matches only lone ones).
 */
export const STORABLE_TEXT = '^[^\\u0000\\uD800-\\uDFFF]*$';
/** Storable text with at least one character that is not white space. */
export const NON_BLANK_TEXT = '^(?=[^\\u0000\\uD800-\\uDFFF]*$)[\\s\\S]*\\S';
export const TimestampSchema = Type.String({ format: 'date-time' });
