/**
 * Every error the API returns has the body `{ "error": { "code", "message" } }`.
 * Clients branch on `code`; `message` is for people and may change.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'TOKEN_EXPIRED',
  'TOKEN_INVALID',
  'REFRESH_TOKEN_REUSED',
  /** The account was disabled by an administrator; only its password's holder is told. */
  'ACCOUNT_DISABLED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'EMAIL_TAKEN',
  'USERNAME_TAKEN',
  'RATE_LIMITED',
  'MUTED',
  'BAD_FRAME',
  'PROTOCOL_VERSION_UNSUPPORTED',
  'CONFLICT',
  /** An upload that is not usable audio (unsupported format, truncated, empty…); the message says which. */
  'INVALID_AUDIO',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
