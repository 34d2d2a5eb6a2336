import type { ErrorCode } from '@veza/shared';

/** Errors core adds to the server's codes: things that happen on the client side of the wire. */
export const CLIENT_ERROR_CODES = [
  'OFFLINE',
  'NOT_SIGNED_IN',
  'SERVER_UNREACHABLE',
  'INVALID_ARGUMENT',
  'UNKNOWN_COMMAND',
  'DOWNLOAD_FAILED',
  'CHECKSUM_MISMATCH',
  'QUOTA_EXCEEDED',
  'NOT_AVAILABLE_OFFLINE',
  'UNSUPPORTED',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];
export type DesktopErrorCode = ErrorCode | ClientErrorCode;

/** What a failed command gives the renderer: a code to branch on and a sentence to show. */
export interface DesktopErrorShape {
  code: DesktopErrorCode;
  message: string;
}
