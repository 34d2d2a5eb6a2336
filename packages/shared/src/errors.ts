/**
 * Every error the API returns has the body `{ "error": { "code", "message" } }`.
 * Clients branch on `code`; `message` is for people and may change.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'BAD_REQUEST',
  /** A password on the bundled list of the most common ones. */
  'PASSWORD_TOO_COMMON',
  /** A trivial password: too short, one character repeated, only blanks, or the owner's name or address. */
  'PASSWORD_TOO_WEAK',
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
  /** A method the resource does not take (the `Allow` header lists those it does). */
  'METHOD_NOT_ALLOWED',
  'EMAIL_TAKEN',
  'USERNAME_TAKEN',
  'RATE_LIMITED',
  /** Sending is paused: a timeout (the message gives the end time) or the rate limiter. */
  'MUTED',
  /** A moderation rule refused the message; the message says which and why. */
  'MESSAGE_BLOCKED',
  /** The account or, for a room, the membership is banned; the message gives the reason and end. */
  'BANNED',
  /** A moderation rule that cannot be used: a regex the linear-time engine refuses, lists over the limits. */
  'RULE_INVALID',
  /** An analytics range longer than the bucket allows. */
  'RANGE_TOO_LARGE',
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
  /** `requestId` comes with server errors (500): quote it when reporting the problem. */
  error: { code: ErrorCode; message: string; requestId?: string };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
