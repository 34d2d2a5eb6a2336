import fs from 'node:fs/promises';
import path from 'node:path';
import { isProcessAlive } from './embedded-postgres.js';

/**
 * One process owns the embedded cluster of a data dir at a time: the server, or the CLI when
 * no server runs. The lock file holds the owner's pid; a dead owner's lock is taken over.
 */
export interface DataDirOwner {
  pid: number;
}

const lockPath = (dataDir: string): string => path.join(dataDir, 'owner.pid');

export async function readOwner(dataDir: string): Promise<DataDirOwner | undefined> {
  try {
    const pid = Number((await fs.readFile(lockPath(dataDir), 'utf8')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) return { pid };
  } catch {
    // no lock file: nobody owns the data dir
  }
  return undefined;
}

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(`The data dir ${dataDir} is in use by another Veza process (pid ${ownerPid}).`);
  }
}

/** Takes the lock or throws DataDirBusyError; returns the function that releases it. */
export async function acquireDataDir(dataDir: string): Promise<() => Promise<void>> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Exclusive create, so two processes starting at the same moment cannot both win.
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lockPath(dataDir), `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
      const owner = await readOwner(dataDir);
      if (owner) throw new DataDirBusyError(dataDir, owner.pid);
      // The owner is gone (or it is us): the lock is stale.
      await fs.rm(lockPath(dataDir), { force: true });
    }
  }
  return async () => {
    try {
      const pid = Number((await fs.readFile(lockPath(dataDir), 'utf8')).trim());
      if (pid === process.pid) await fs.rm(lockPath(dataDir), { force: true });
    } catch {
      // already gone
    }
  };
}
