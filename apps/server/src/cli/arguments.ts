import { usageError } from './usage.js';

/**
 * Takes `--config <file>` (or `--config=<file>`) out of the arguments wherever it stands, so it
 * works with every command: `veza-server --config /etc/veza.env user list`.
 */
export function takeConfigOption(argv: string[]): { configFile: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let value: string | undefined;
    if (arg === '--config') {
      value = argv[++i];
      if (value === undefined || value.startsWith('--'))
        throw usageError('MISSING_OPTION', '--config needs the path of a configuration file.');
    } else if (arg.startsWith('--config=')) value = arg.slice('--config='.length);
    else {
      rest.push(arg);
      continue;
    }
    if (value === '') throw usageError('MISSING_OPTION', '--config needs the path of a configuration file.');
    if (configFile !== undefined) throw usageError('INVALID_OPTION', '--config can be given once.');
    configFile = value;
  }
  return { configFile, rest };
}
