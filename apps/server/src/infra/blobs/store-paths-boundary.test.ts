import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Features reach media only through the BlobStore interface (keys, bytes, streams, scratch), so
 * an object store can replace the local one without touching them. The interface has no path
 * of the store to give; this keeps features from reaching around it to the local store.
 */

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GUARDED = ['features', 'demo'];

const LEAKS: Array<[string, RegExp]> = [
  ['imports the local store', /from\s+['"][^'"]*\/local-blob-store(?:\.js)?['"]/],
  ['asks for a path of the store', /\.(?:pathOf|localPath|scratchDir)\b/],
  ['builds a path from a media root', /path\.join\(\s*(?:[\w.]+\.)?(?:root|mediaRoot|mediaDir)\b/],
];

function leaksIn(source: string): string[] {
  return LEAKS.filter(([, pattern]) => pattern.test(source)).map(([what]) => what);
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('no feature sees where the store keeps a blob', () => {
  it('finds each kind of leak', () => {
    expect(leaksIn("import { LocalBlobStore } from '../../infra/blobs/local-blob-store.js';")).toEqual([
      'imports the local store',
    ]);
    expect(leaksIn('const file = await blobs.localPath(key);')).toEqual(['asks for a path of the store']);
    expect(leaksIn('const work = path.join(blobs.scratchDir, name);')).toEqual(['asks for a path of the store']);
    expect(leaksIn('const file = path.join(store.root, key);')).toEqual(['builds a path from a media root']);
    expect(leaksIn("const file = blobs.scratch.file('cover.jpg');")).toEqual([]);
  });

  it.each(GUARDED)('in src/%s', async (folder) => {
    const files = await sourceFiles(path.join(SRC, folder));
    expect(files.length).toBeGreaterThan(0);
    const found: string[] = [];
    for (const file of files) {
      for (const what of leaksIn(await readFile(file, 'utf8'))) found.push(`${path.relative(SRC, file)} ${what}`);
    }
    expect(found).toEqual([]);
  });
});
