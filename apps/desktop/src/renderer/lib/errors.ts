import type { DesktopErrorShape } from '../../common/contract.js';

/** Turns whatever a bridge call rejected with into a code and a sentence a person can read. */
export function describeError(error: unknown): DesktopErrorShape {
  if (typeof error === 'object' && error !== null) {
    const candidate = error as { code?: unknown; message?: unknown; error?: unknown };
    if (typeof candidate.message === 'string' && candidate.message && typeof candidate.code === 'string') {
      return { code: candidate.code as DesktopErrorShape['code'], message: candidate.message };
    }
    if (typeof candidate.error === 'object' && candidate.error !== null) return describeError(candidate.error);
    if (typeof candidate.message === 'string' && candidate.message) {
      return { code: 'INTERNAL_ERROR', message: candidate.message };
    }
  }
  if (typeof error === 'string' && error) return { code: 'INTERNAL_ERROR', message: error };
  return { code: 'INTERNAL_ERROR', message: 'Something went wrong. Try again.' };
}

export function errorMessage(error: unknown): string {
  return describeError(error).message;
}
