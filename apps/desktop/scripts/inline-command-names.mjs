/**
 * The preload and the browser host's client expose one function per command, so they need the
 * command names; the names derive from the contract's tables, which need TypeBox and @veza/shared
 * (about 150 KiB). This esbuild plugin evaluates the tables once at build time and swaps
 * src/common/contract/command-names.ts for the literal list, so those two bundles stay tiny and
 * the list still has one source.
 */
import path from 'node:path';
import * as esbuild from 'esbuild';

const NAMES_MODULE = /[\\/]common[\\/]contract[\\/]command-names\.ts$/;

/** COMMAND_NAME_LIST as the contract computes it, by bundling and importing that module. */
export async function commandNamesOf(desktopDir) {
  const result = await esbuild.build({
    entryPoints: [path.join(desktopDir, 'src', 'common', 'contract', 'command-names.ts')],
    absWorkingDir: desktopDir,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    conditions: ['@veza/source'],
    logLevel: 'silent',
  });
  const source = Buffer.from(result.outputFiles[0].text).toString('base64');
  const module = await import(`data:text/javascript;base64,${source}`);
  return module.COMMAND_NAME_LIST;
}

/** The esbuild plugin; `desktopDir` is apps/desktop. */
export function inlineCommandNames(desktopDir) {
  return {
    name: 'inline-command-names',
    setup(build) {
      let names;
      build.onLoad({ filter: NAMES_MODULE }, async () => {
        names ??= await commandNamesOf(desktopDir);
        return { contents: `export const COMMAND_NAME_LIST = ${JSON.stringify(names)};`, loader: 'js' };
      });
    },
  };
}
