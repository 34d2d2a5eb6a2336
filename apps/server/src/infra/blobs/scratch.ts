import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Local working files for what needs a path (ffmpeg, a multipart upload streaming to disk),
 * before they are handed to a `BlobStore`. Nothing here is a blob: it is readable through the
 * store only once put. Names are chosen by the server and kept unique by the caller (an upload
 * id, a job attempt); they keep their extension, which ffmpeg reads the format from.
 */
export interface Scratch {
  /** The path for a working file called `name`; nothing is created. The caller removes it. */
  file(name: string): string;
  /** Runs `work` in a new, empty working directory called `name`, removed afterwards whatever happens. */
  withDirectory<T>(name: string, work: (dir: string) => Promise<T>): Promise<T>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;

/** Scratch in one directory that this process alone writes (it exists already). */
export class DirectoryScratch implements Scratch {
  constructor(readonly dir: string) {}

  file(name: string): string {
    return path.join(this.dir, checkedName(name));
  }

  async withDirectory<T>(name: string, work: (dir: string) => Promise<T>): Promise<T> {
    const dir = this.file(name);
    // Whatever an earlier holder of the name left (a retry in the same process) is not ours to read.
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    try {
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function checkedName(name: string): string {
  if (name.length > 200 || !NAME.test(name)) {
    throw new TypeError(
      `invalid scratch name ${JSON.stringify(name)}: one path segment of letters, digits, "_", "-" and inner dots`,
    );
  }
  return name;
}
