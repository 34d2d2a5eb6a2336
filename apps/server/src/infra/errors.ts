import type { ErrorCode } from '@veza/shared';

/** An error meant for the client: its code and message are sent as they are. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const unauthenticated = (message = 'Sign in to continue.'): AppError =>
  new AppError(401, 'UNAUTHENTICATED', message);
export const forbidden = (message = 'You do not have permission to do this.'): AppError =>
  new AppError(403, 'FORBIDDEN', message);
export const notFound = (message: string): AppError => new AppError(404, 'NOT_FOUND', message);
