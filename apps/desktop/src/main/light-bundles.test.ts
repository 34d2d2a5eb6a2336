/**
 * The preload and the browser host's client list every command but must stay tiny: the build
 * inlines the names the contract's tables derive (scripts/inline-command-names.mjs) instead of
 * bundling the tables, TypeBox and @veza/shared with them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { commandNamesOf, inlineCommandNames } from '../../scripts/inline-command-names.mjs';
import { COMMAND_NAMES } from '../common/commands.js';

const desktopDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function bundle(entry: string, format: 'cjs' | 'iife'): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [path.join(desktopDir, entry)],
    absWorkingDir: desktopDir,
    bundle: true,
    write: false,
    minify: true,
    format,
    platform: 'browser',
    target: 'chrome120',
    external: ['electron'],
    conditions: ['@veza/source'],
    plugins: [inlineCommandNames(desktopDir)],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('the light bundles', () => {
  it('get the names the tables derive, in contract order', async () => {
    expect(await commandNamesOf(desktopDir)).toEqual(COMMAND_NAMES);
  });

  for (const [name, entry, format] of [
    ['preload', 'src/preload/preload.ts', 'cjs'],
    ['host client', 'src/host/client/bridge.ts', 'iife'],
  ] as const) {
    it(`${name}: every command name, without TypeBox or @veza/shared`, async () => {
      const code = await bundle(entry, format);
      for (const command of COMMAND_NAMES) expect(code).toContain(`"${command}"`);
      expect(code).not.toMatch(/typebox|minLength|additionalProperties/);
      expect(code.length).toBeLessThan(8 * 1024);
    });
  }
});
