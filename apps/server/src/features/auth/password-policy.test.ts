import { describe, expect, it } from 'vitest';
import { PASSWORD_MIN_LENGTH } from '@veza/shared';
import { newPassword } from '../../demo/seed.js';
import { AppError } from '../../infra/errors.js';
import { COMMON_PASSWORDS_TEXT } from './common-passwords.js';
import { checkPasswordStrength, findPasswordWeakness } from './password-policy.js';

const owner = { username: 'marie_c', email: 'Marie.Curie@example.test' };
const listed = COMMON_PASSWORDS_TEXT.split('\n').filter((line) => line !== '');

describe('findPasswordWeakness', () => {
  it('bundles a list of at least 10,000 common passwords, none shorter than the minimum', () => {
    expect(listed.length).toBeGreaterThanOrEqual(10_000);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.filter((password) => password.length < PASSWORD_MIN_LENGTH)).toEqual([]);
  });

  it('refuses every listed password, whatever its case', () => {
    // A few listed ones (11111111) are refused first as one character repeated.
    const trivial = /^(.)\1*$/u;
    for (const password of listed) {
      const code = trivial.test(password) ? 'PASSWORD_TOO_WEAK' : 'PASSWORD_TOO_COMMON';
      expect(findPasswordWeakness(password, owner)?.code, password).toBe(code);
      expect(findPasswordWeakness(password.toUpperCase(), owner)?.code, password).toBe(code);
    }
    // Full-width letters read as the same password.
    expect(findPasswordWeakness('\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44', owner)?.code).toBe(
      'PASSWORD_TOO_COMMON',
    );
  });

  it('says why a common password is refused', () => {
    expect(findPasswordWeakness('iloveyou', owner)).toEqual({
      code: 'PASSWORD_TOO_COMMON',
      message: expect.stringMatching(/one of the most common passwords.*choose another/i),
    });
  });

  it.each([
    ['short', /at least 8 characters/],
    ['zzzzzzzzzz', /one character repeated/],
    ['\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9', /one character repeated/],
    [
      '\ud83c\udfb5\ud83c\udfb5\ud83c\udfb5\ud83c\udfb5\ud83c\udfb5\ud83c\udfb5\ud83c\udfb5\ud83c\udfb5',
      /one character repeated/,
    ],
    ['        ', /only spaces/],
    [' \t \n \u00a0  ', /only spaces/],
    ['marie_c', /at least 8 characters/],
    ['MARIE_C1', null],
    ['Marie.Curie@example.test', /username or email/],
    ['marie.curie', /username or email/],
    [' Marie.Curie ', /username or email/],
  ])('judges %j: %s', (password, why) => {
    const weakness = findPasswordWeakness(password, owner);
    if (why === null) expect(weakness).toBeNull();
    else expect(weakness).toEqual({ code: 'PASSWORD_TOO_WEAK', message: expect.stringMatching(why) });
  });

  it.each([
    'password1 ',
    ' Password1',
    'password1\u00a0',
    'password1\u200b',
    'pass\u00adword1',
    '\u200bpass\u200cword\u200d1\ufeff',
    'password\u20601',
    '\uff50assword1\u3000',
  ])('refuses a common password hidden by blanks or invisible characters: %j', (password) => {
    expect(findPasswordWeakness(password, owner)?.code).toBe('PASSWORD_TOO_COMMON');
  });

  it.each([
    ['\u200b\u200c'.repeat(4), /only spaces or invisible/],
    ['\u0301'.repeat(8), /only spaces or invisible/],
    ['\u0000\u0001'.repeat(4), /only spaces or invisible/],
    ['\u3164'.repeat(8), /only spaces or invisible/],
    ['e\u0301'.repeat(8), /one character repeated/],
    ['\u00e9e\u0301'.repeat(4), /one character repeated/],
    ['aAaA aAaA', /one character repeated/],
    ['z\u200bz\u200bz\u200bz\u200b', /one character repeated/],
    ['password1\t', /control characters/],
    ['Tr0ub4dor&3x\u0000', /control characters/],
    ['correct\nhorse battery', /control characters/],
    ['\u0085correct horse', /control characters/],
    [' Marie_C\u200b ', /username or email/],
  ])('judges %j: %s', (password, why) => {
    expect(findPasswordWeakness(password, owner)).toEqual({
      code: 'PASSWORD_TOO_WEAK',
      message: expect.stringMatching(why),
    });
  });

  it('refuses the username as the password when it is long enough to be one', () => {
    expect(findPasswordWeakness('Marie_Curie', { username: 'marie_curie' })?.message).toMatch(/username or email/);
  });

  it('accepts passwords that are none of these, and the generated ones', () => {
    for (const password of [
      'correct horse battery',
      'pw-3fQx9LmZ',
      'aaaaaaab',
      'Tr0ub4dor&3x',
      'e\u0301e\u0301e\u0301e\u0301x',
      '\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645',
    ]) {
      expect(findPasswordWeakness(password, owner), password).toBeNull();
    }
    for (let i = 0; i < 100; i += 1) expect(findPasswordWeakness(newPassword(), owner)).toBeNull();
  });
});

describe('checkPasswordStrength', () => {
  it('throws a 400 with the code and message, and returns for a fine password', () => {
    expect(() => checkPasswordStrength('correct horse battery', owner)).not.toThrow();
    let thrown: unknown;
    try {
      checkPasswordStrength('password1', owner);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ statusCode: 400, code: 'PASSWORD_TOO_COMMON' });
  });
});
