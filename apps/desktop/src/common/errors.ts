import type { DesktopErrorCode, DesktopErrorShape } from './contract.js';

/** The one error type core throws for things the user should read; crosses bridges as its shape. */
export class DesktopError extends Error {
  override readonly name = 'DesktopError';
  constructor(
    readonly code: DesktopErrorCode,
    message: string,
  ) {
    super(message);
  }

  toShape(): DesktopErrorShape {
    return { code: this.code, message: this.message };
  }
}

/** Turns anything thrown into something safe to show and to send across a bridge. */
export function toErrorShape(error: unknown): DesktopErrorShape {
  if (error instanceof DesktopError) return error.toShape();
  return {
    code: 'INTERNAL_ERROR',
    message: 'Something went wrong inside Veza. Try again; if it persists, restart the app.',
  };
}
