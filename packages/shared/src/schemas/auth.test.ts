import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { ERROR_CODES, isErrorCode } from '../errors.js';
import { ApiKeyCreateBodySchema, LoginBodySchema, PASSWORD_MAX_LENGTH, RegisterBodySchema } from './auth.js';
import { ErrorBodySchema } from './common.js';

describe('auth schemas', () => {
  it('caps password length so hashing cost is bounded', () => {
    const base = { email: 'a@b.test', username: 'abc' };
    expect(Value.Check(RegisterBodySchema, { ...base, password: 'x'.repeat(PASSWORD_MAX_LENGTH) })).toBe(true);
    expect(Value.Check(RegisterBodySchema, { ...base, password: 'x'.repeat(PASSWORD_MAX_LENGTH + 1) })).toBe(false);
    expect(Value.Check(LoginBodySchema, { login: 'abc', password: 'x'.repeat(PASSWORD_MAX_LENGTH + 1) })).toBe(false);
  });

  it('refuses unknown fields, such as a self-assigned role', () => {
    expect(
      Value.Check(RegisterBodySchema, { email: 'a@b.test', username: 'abc', password: 'password1', role: 'admin' }),
    ).toBe(false);
  });

  it('limits usernames to a safe alphabet', () => {
    const check = (username: string) =>
      Value.Check(RegisterBodySchema, { email: 'a@b.test', username, password: 'password1' });
    expect(check('ada_lovelace.1')).toBe(true);
    expect(check('ab')).toBe(false);
    expect(check('<script>')).toBe(false);
    expect(check('a'.repeat(33))).toBe(false);
  });

  it('accepts only known, unique API key scopes', () => {
    expect(Value.Check(ApiKeyCreateBodySchema, { name: 'ci', scopes: ['chat:read'] })).toBe(true);
    expect(Value.Check(ApiKeyCreateBodySchema, { name: 'ci', scopes: ['root'] })).toBe(false);
    expect(Value.Check(ApiKeyCreateBodySchema, { name: 'ci', scopes: [] })).toBe(false);
    expect(Value.Check(ApiKeyCreateBodySchema, { name: 'ci', scopes: ['chat:read', 'chat:read'] })).toBe(false);
  });
});

describe('error body', () => {
  it('accepts every error code and nothing else', () => {
    for (const code of ERROR_CODES) expect(Value.Check(ErrorBodySchema, { error: { code, message: 'm' } })).toBe(true);
    expect(Value.Check(ErrorBodySchema, { error: { code: 'NOPE', message: 'm' } })).toBe(false);
    expect(isErrorCode('NOT_FOUND')).toBe(true);
    expect(isErrorCode('nope')).toBe(false);
  });
});
