import type { DocumentedCommand } from './documented-commands.js';
import type { DocumentedLine } from './extract-commands.js';

export const matches = (entry: DocumentedCommand, command: string): boolean =>
  typeof entry.command === 'string' ? entry.command === command : new RegExp(entry.command).test(command);

/** The first entry of the table that names this command line. */
export const entryFor = (line: DocumentedLine, table: readonly DocumentedCommand[]): DocumentedCommand | undefined =>
  table.find((entry) => matches(entry, line.command));

export const where = (line: DocumentedLine): string => `${line.file}:${line.line}: ${line.command.split('\n')[0]}`;

/** For each documented command no entry names: which one, and what to add. */
export function uncovered(lines: readonly DocumentedLine[], table: readonly DocumentedCommand[]): string[] {
  return lines
    .filter((line) => !entryFor(line, table))
    .map(
      (line) =>
        `${where(line)}\n  is exercised by no test. Add a line to DOCUMENTED_COMMANDS in ` +
        `scripts/docs/documented-commands.ts:\n  { command: ${JSON.stringify(line.command)}, how: ` +
        `run('server' | 'desktop' | 'account' | 'completes') },\n  or how: coveredBy('path/to/file.test.ts', ` +
        `'the name of its test'), or how: ranByCi() when .ci/run runs it.`,
    );
}

/** Entries that name no documented command any more. */
export function stale(lines: readonly DocumentedLine[], table: readonly DocumentedCommand[]): DocumentedCommand[] {
  return table.filter((entry) => !lines.some((line) => matches(entry, line.command)));
}
