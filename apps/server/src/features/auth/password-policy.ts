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
function isCommon(comparable: string): boolean {
  commonPasswords ??= new Set(
    COMMON_PASSWORDS_TEXT.split('\n')
      .filter((line) => line !== '')
      .map(comparableForm),
  );
  return commonPasswords.has(comparable);
}

/** Characters that show nothing: format (zero-width, soft hyphen, bidi marks) and the other default-ignorables. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
/** A password of nothing a person sees: blanks, invisibles, controls and marks with no letter to sit on. */
const NOTHING_VISIBLE = /^[\s\p{Z}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}]*$/u;
const CONTROL = /\p{Cc}/u;

/**
 * The password as it is compared with the list and the owner's names (never what is hashed):
 * full-width and other compatibility forms read as the letters they show, invisible characters
 * dropped, blanks trimmed and collapsed, case ignored. `password1 ` and `pass\u00adword1` are
 * `password1`.
 */
function comparableForm(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** True when every character a person sees (a grapheme: `e` + accent is one) is the same. */
function isOneCharacterRepeated(comparable: string): boolean {
  const graphemes = [...graphemeSegmenter.segment(comparable.replace(/\s/gu, ''))].map((part) => part.segment);
  return graphemes.every((grapheme) => grapheme === graphemes[0]);
}
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const weak = (message: string): PasswordWeakness => ({ code: 'PASSWORD_TOO_WEAK', message });

/**
 * Why `password` must not be used, or null when nothing is wrong with it. The same rules for
 * every way a password is set (registration, the CLI, and any change or reset), so it is one
 * function: the first guesses of an attacker (a listed common password, one character repeated,
 * blanks, the owner's own name or address) are refused with a sentence that says which, in any
 * spelling that looks the same. Control characters are refused outright: no keyboard types them
 * in a password field, and a form or a terminal may drop or change them on the next sign-in.
 */
export function findPasswordWeakness(password: string, owner: PasswordOwner): PasswordWeakness | null {
  const characters = [...password];
  if (characters.length < PASSWORD_MIN_LENGTH) {
    return weak(`A password needs at least ${PASSWORD_MIN_LENGTH} characters.`);
  }
  if (NOTHING_VISIBLE.test(password)) {
    return weak('This password is only spaces or invisible characters; choose one with letters, digits or symbols.');
  }
  if (CONTROL.test(password)) {
    return weak(
      'A password cannot contain control characters (tabs, line breaks, NUL and the like); use letters, digits, symbols and spaces.',
    );
  }
  const comparable = comparableForm(password);
  if (isOneCharacterRepeated(comparable)) {
    return weak('This password is one character repeated, which is guessed at once; choose another.');
  }
  const email = owner.email === undefined ? '' : comparableForm(owner.email);
  const localPart = email.includes('@') ? email.slice(0, email.lastIndexOf('@')) : '';
  const ownNames = [owner.username === undefined ? '' : comparableForm(owner.username), email, localPart];
  if (ownNames.includes(comparable)) {
    return weak('This password is your username or email address, which is guessed first; choose another.');
  }
  if (isCommon(comparable)) {
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
