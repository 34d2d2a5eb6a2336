import { ConfigError } from '../infra/config.js';
import { DataDirBusyError } from '../infra/db/data-dir-lock.js';
import { AppError } from '../infra/errors.js';
import { CliError, USAGE } from './usage.js';

/** parseArgs's codes, in words a script can match. */
const PARSE_ARGS_CODES: Record<string, string> = {
  ERR_PARSE_ARGS_UNKNOWN_OPTION: 'UNKNOWN_OPTION',
  ERR_PARSE_ARGS_INVALID_OPTION_VALUE: 'INVALID_OPTION',
  ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL: 'UNEXPECTED_ARGUMENT',
};

/** Writes the error as `CODE: message` on stderr and returns the exit code: 2 for usage, 1 otherwise. */
export function reportError(error: unknown, write: (text: string) => void): number {
  const parseArgsCode = (error as { code?: unknown } | null)?.code;
  if (typeof parseArgsCode === 'string' && parseArgsCode in PARSE_ARGS_CODES) {
    write(`${PARSE_ARGS_CODES[parseArgsCode]}: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (error instanceof CliError) {
    write(`${error.code}: ${error.message}\n`);
    if (error.kind === 'usage') write(`\n${USAGE}\n`);
    return error.kind === 'usage' ? 2 : 1;
  }
  if (error instanceof ConfigError) {
    write(`CONFIG_INVALID: ${error.message}\nSee docs/configuration.md.\n`);
    return 2;
  }
  if (error instanceof DataDirBusyError) {
    write(`DATA_DIR_BUSY: ${error.message}\n`);
    return 1;
  }
  if (error instanceof AppError) {
    write(`${error.code}: ${error.message}\n`);
    return 1;
  }
  write(`FAILED: veza-server failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
