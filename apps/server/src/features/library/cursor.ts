import { STORABLE_TEXT } from '@veza/shared';
import { AppError } from '../../infra/errors.js';

/**
 * Keyset cursors for track listings: base64url of `[sort, ...sortKeys, id]` in JSON. The keys are
 * the values of the last row's sort columns, so the next page starts strictly after that row
 * whatever was inserted since. Opaque to clients, but they can change it: everything is checked
 * before it reaches SQL.
 */

/** `integer`: a decimal (bigint counters, microsecond timestamps); `text`: a string from a column. */
export type SortKeyKind = 'integer' | 'text';

export interface CursorPosition {
  keys: string[];
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INTEGER = /^-?\d{1,16}$/;
// What PostgreSQL can take as text, as the schemas check it: no U+0000, no lone surrogate.
const STORABLE = new RegExp(STORABLE_TEXT, 'u');
/** Text keys are lowercased titles and artists (200 characters at most); a little slack for lower(). */
const MAX_TEXT_KEY = 1000;

export function encodeCursor(sort: string, position: CursorPosition): string {
  return Buffer.from(JSON.stringify([sort, ...position.keys, position.id])).toString('base64url');
}

const invalid = () =>
  new AppError(
    400,
    'VALIDATION_FAILED',
    'querystring.cursor is not a cursor of this listing; start again from the first page without it.',
  );

/** The position a cursor made by encodeCursor for the same sort points at; a 400 for anything else. */
export function decodeCursor(cursor: string, sort: string, kinds: readonly SortKeyKind[]): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== kinds.length + 2 || parsed[0] !== sort) throw invalid();
  const keys = parsed.slice(1, -1) as unknown[];
  const id = parsed.at(-1) as unknown;
  if (typeof id !== 'string' || !UUID.test(id)) throw invalid();
  keys.forEach((key, i) => {
    if (typeof key !== 'string' || !isValidKey(key, kinds[i]!)) throw invalid();
  });
  return { keys: keys as string[], id };
}

function isValidKey(key: string, kind: SortKeyKind): boolean {
  if (kind === 'text') return key.length <= MAX_TEXT_KEY && STORABLE.test(key);
  // Safe integers only: they survive the casts in SQL without overflow or rounding.
  return INTEGER.test(key) && Number.isSafeInteger(Number(key));
}
