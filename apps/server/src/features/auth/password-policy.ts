import { PASSWORD_MIN_LENGTH } from '@veza/shared';
import { AppError } from '../../infra/errors.js';
import { COMMON_PASSWORDS_TEXT } from './common-passwords.js';

/** Whose password it is: a password that is their name or address is guessed first. */
export interface PasswordOwner {
  username?: string;
  email?: string;
}

export interface PasswordWeakness {
  code: 'PASSWORD_TOO_COMMON' | 'PASSWORD_TOO_WEAK';
  message: string;
}

let commonPasswords: Set<string> | undefined;

/** Built on the first check, not at import: a process that never checks a password never pays for it. */
function isCommon(normalized: string): boolean {
  commonPasswords ??= new Set(COMMON_PASSWORDS_TEXT.split('\n').filter((line) => line !== ''));
  return commonPasswords.has(normalized);
}

/** Full-width and other compatibility forms read as the letters they show; case does not count. */
const normalize = (text: string): string => text.normalize('NFKC').toLowerCase();

const weak = (message: string): PasswordWeakness => ({ code: 'PASSWORD_TOO_WEAK', message });

/**
 * Why `password` must not be used, or null when nothing is wrong with it. The same rules for
 * every way a password is set (registration, the CLI, and any change or reset), so it is one
 * function: the first guesses of an attacker (a listed common password, one character repeated,
 * blanks, the owner's own name or address) are refused with a sentence that says which.
 */
export function findPasswordWeakness(password: string, owner: PasswordOwner): PasswordWeakness | null {
  const characters = [...password];
  if (characters.length < PASSWORD_MIN_LENGTH) {
    return weak(`A password needs at least ${PASSWORD_MIN_LENGTH} characters.`);
  }
  if (password.trim() === '') return weak('This password is only spaces; choose one with letters, digits or symbols.');
  if (characters.every((character) => character === characters[0])) {
    return weak('This password is one character repeated, which is guessed at once; choose another.');
  }
  const normalized = normalize(password);
  const bare = normalized.trim();
  const email = owner.email === undefined ? '' : normalize(owner.email).trim();
  const localPart = email.includes('@') ? email.slice(0, email.lastIndexOf('@')) : '';
  const ownNames = [owner.username === undefined ? '' : normalize(owner.username).trim(), email, localPart];
  if (bare !== '' && ownNames.includes(bare)) {
    return weak('This password is your username or email address, which is guessed first; choose another.');
  }
  if (isCommon(normalized)) {
    return {
      code: 'PASSWORD_TOO_COMMON',
      message:
        'This password is one of the most common passwords, which are guessed first; choose another (a few unrelated words make a strong one).',
    };
  }
  return null;
}

/** Throws a 400 with the weakness's code and message; returns when the password may be used. */
export function checkPasswordStrength(password: string, owner: PasswordOwner): void {
  const weakness = findPasswordWeakness(password, owner);
  if (weakness) throw new AppError(400, weakness.code, weakness.message);
}
