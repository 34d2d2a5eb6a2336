#!/usr/bin/env node
import { serveCommand } from './cli/serve.js';
import { takeConfigOption } from './cli/arguments.js';
import { withDatabase } from './cli/database.js';
import { reportError } from './cli/report.js';
import { USAGE, usageError } from './cli/usage.js';
import { userCommand } from './cli/user-commands.js';
import { loadConfig } from './infra/config.js';
import { CONFIG_FILE_VARIABLE } from './infra/config-variables.js';
import { SERVER_VERSION } from './infra/version.js';

async function main(argv: string[]): Promise<number> {
  const { configFile, rest } = takeConfigOption(argv);
  if (rest.includes('--help') || rest.includes('-h') || rest[0] === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (rest[0] === '--version' || rest[0] === '-v' || rest[0] === 'version') {
    process.stdout.write(`veza-server ${SERVER_VERSION}\n`);
    return 0;
  }
  const [command = 'serve', ...args] = rest;
  if (!['serve', 'migrate', 'user'].includes(command))
    throw usageError('UNKNOWN_COMMAND', `Unknown command "${command}".`);
  const config = loadConfig(
    configFile === undefined ? process.env : { ...process.env, [CONFIG_FILE_VARIABLE]: configFile },
  );
  switch (command) {
    case 'serve':
      return serveCommand(config, args);
    case 'migrate':
      if (args.length > 0) throw usageError('UNEXPECTED_ARGUMENT', `"migrate" takes no arguments (got "${args[0]}").`);
      return withDatabase(config, async () => 0);
    default:
      return userCommand(config, args);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportError(error, (text) => void process.stderr.write(text));
  },
);
