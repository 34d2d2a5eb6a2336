/** Types of documented-commands.mjs, for the TypeScript tests that read the same blocks. */
export declare function shBlocks(markdown: string, heading: string): string[][];
