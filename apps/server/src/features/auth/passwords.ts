import { hash, verify, type Options } from '@node-rs/argon2';

/**
 * argon2id at OWASP's first recommended setting (19 MiB, t=2, p=1). `Algorithm` is a const
 * enum in the binding's types, which isolated modules cannot inline, hence the literal.
 */
export const ARGON2_OPTIONS: Options = {
  algorithm: 2 as Options['algorithm'], // Argon2id
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password, ARGON2_OPTIONS);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password, verified against when the account does not exist, so a wrong
 * login costs the same time whether or not the account is real.
 */
export function createDecoyHash(): Promise<string> {
  return hashPassword(crypto.randomUUID());
}
