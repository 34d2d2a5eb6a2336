import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJwtSecret } from './secrets.js';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-secrets-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** A data dir that does not exist yet, as on a first start. */
const freshDataDir = (): string => path.join(root, `data-${++counter}`, 'nested');

describe('loadJwtSecret', () => {
  it('generates a random 256-bit secret into the data dir on first start, readable by the owner only', async () => {
    const dataDir = freshDataDir();
    const secret = await loadJwtSecret(dataDir, undefined);
    expect(secret).toHaveLength(32);
    expect(Buffer.from(secret).equals(Buffer.alloc(32))).toBe(false);

    const file = path.join(dataDir, 'jwt-secret');
    const stat = await fs.stat(file);
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await fs.stat(dataDir)).mode & 0o777).toBe(0o700);
    const stored = (await fs.readFile(file, 'utf8')).trim();
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(stored, 'base64url').equals(Buffer.from(secret))).toBe(true);
  });

  it('returns the same secret on every later start', async () => {
    const dataDir = freshDataDir();
    const first = await loadJwtSecret(dataDir, undefined);
    const second = await loadJwtSecret(dataDir, undefined);
    const third = await loadJwtSecret(dataDir, undefined);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(third).equals(Buffer.from(first))).toBe(true);
  });

  it('gives each data dir its own secret', async () => {
    const a = await loadJwtSecret(freshDataDir(), undefined);
    const b = await loadJwtSecret(freshDataDir(), undefined);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('agrees on one secret when several instances start at once on a fresh dir', async () => {
    const dataDir = freshDataDir();
    const secrets = await Promise.all(Array.from({ length: 8 }, () => loadJwtSecret(dataDir, undefined)));
    const stored = Buffer.from((await fs.readFile(path.join(dataDir, 'jwt-secret'), 'utf8')).trim(), 'base64url');
    for (const secret of secrets) expect(Buffer.from(secret).equals(stored)).toBe(true);
  });

  it('uses VEZA_JWT_SECRET when given, and writes no file', async () => {
    const dataDir = freshDataDir();
    const fromEnv = 'an-operator-provided-secret-of-32+bytes';
    const secret = await loadJwtSecret(dataDir, fromEnv);
    expect(Buffer.from(secret).toString('utf8')).toBe(fromEnv);
    await expect(fs.stat(path.join(dataDir, 'jwt-secret'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('prefers VEZA_JWT_SECRET over a secret already generated in the data dir', async () => {
    const dataDir = freshDataDir();
    const generated = await loadJwtSecret(dataDir, undefined);
    const fromEnv = 'x'.repeat(40);
    const secret = await loadJwtSecret(dataDir, fromEnv);
    expect(Buffer.from(secret).toString('utf8')).toBe(fromEnv);
    expect(Buffer.from(secret).equals(Buffer.from(generated))).toBe(false);
    // The generated file is left as it was, for when the variable is removed again.
    const again = await loadJwtSecret(dataDir, undefined);
    expect(Buffer.from(again).equals(Buffer.from(generated))).toBe(true);
  });

  it.each([
    ['a truncated secret', 'abc'],
    ['an empty file', ''],
    ['a secret with foreign characters', `${'A'.repeat(42)}!`],
  ])('refuses %s instead of signing with it', async (_what, content) => {
    const dataDir = freshDataDir();
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(path.join(dataDir, 'jwt-secret'), content, { mode: 0o600 });
    await expect(loadJwtSecret(dataDir, undefined)).rejects.toThrow(/jwt-secret is corrupt/);
    // The damaged file is left for the operator to inspect, not silently replaced.
    expect(await fs.readFile(path.join(dataDir, 'jwt-secret'), 'utf8')).toBe(content);
  });
});
