import { open, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { SavedExport } from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';

/** How many "name (n).csv" variants are tried before giving up: an export never overwrites. */
const MAX_VARIANTS = 1000;

/**
 * Writes `csv` as `fileName` in `dir`, or as "name (2).csv", "name (3).csv"… when taken. The
 * name was checked by the contract (a bare name ending in .csv); `basename` is the second lock
 * on the door, and 'wx' creates the file or fails, so a file that appears meanwhile is not lost.
 */
export async function saveCsv(dir: string, fileName: string, csv: string): Promise<SavedExport> {
  const safe = path.basename(fileName);
  if (safe !== fileName || !safe.toLowerCase().endsWith('.csv')) {
    throw new DesktopError('INVALID_ARGUMENT', 'An export is saved under a plain file name ending in .csv.');
  }
  await mkdir(dir, { recursive: true });
  const stem = safe.slice(0, -'.csv'.length);
  // A UTF-8 byte-order mark: spreadsheet apps then read accented titles correctly.
  const bytes = Buffer.from(`\uFEFF${csv}`, 'utf8');
  for (let n = 1; n <= MAX_VARIANTS; n += 1) {
    const file = path.join(dir, n === 1 ? safe : `${stem} (${n}).csv`);
    let handle;
    try {
      handle = await open(file, 'wx', 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new DesktopError('INTERNAL_ERROR', `The export could not be saved in ${dir}.`);
    }
    try {
      await handle.writeFile(bytes);
    } finally {
      await handle.close();
    }
    return { path: file, bytes: bytes.byteLength };
  }
  throw new DesktopError('CONFLICT', `Too many exports named “${stem}” in ${dir}: remove some first.`);
}
