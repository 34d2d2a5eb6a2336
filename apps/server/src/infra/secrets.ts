import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The JWT signing secret: VEZA_JWT_SECRET when given, else a random 256-bit secret generated on
 * first start into the data dir (0600). There is no built-in default.
 */
export async function loadJwtSecret(dataDir: string, fromEnv: string | undefined): Promise<Uint8Array> {
  if (fromEnv !== undefined) return new TextEncoder().encode(fromEnv);
  const file = path.join(dataDir, 'jwt-secret');
  try {
    const existing = (await fs.readFile(file, 'utf8')).trim();
    if (existing.length >= 43) return Buffer.from(existing, 'base64url');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  // wx: if two instances race on a shared dir, the loser reads the winner's secret.
  try {
    await fs.writeFile(file, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'base64url');
  }
}
