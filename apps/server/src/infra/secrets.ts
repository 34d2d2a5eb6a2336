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
  const existing = await readSecretFile(file);
  if (existing) return existing;
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  // wx: if two instances race on a shared dir, the loser reads the winner's secret.
  try {
    await fs.writeFile(file, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readSecretFile(file);
    if (!winner) throw new Error(`The JWT secret file ${file} vanished while starting; start again.`);
    return winner;
  }
}

/** The stored secret, undefined when there is no file, an error when the file is damaged. */
async function readSecretFile(file: string): Promise<Uint8Array | undefined> {
  let text: string;
  try {
    text = (await fs.readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) {
    throw new Error(
      `The JWT secret file ${file} is corrupt. Delete it to generate a new secret (everyone will have to sign in again) or set VEZA_JWT_SECRET.`,
    );
  }
  return Buffer.from(text, 'base64url');
}
