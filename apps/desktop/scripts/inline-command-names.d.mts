import type { Plugin } from 'esbuild';

export function commandNamesOf(desktopDir: string): Promise<string[]>;
export function inlineCommandNames(desktopDir: string): Plugin;
