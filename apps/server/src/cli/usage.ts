import { ROLES } from '@veza/shared';

export const USAGE = `Usage: veza-server [--config <file>] [command]

Commands:
  serve [--demo]          Start the server (default). --demo creates demo accounts on a fresh data dir.
  migrate                 Apply database migrations and exit.
  user create --email <email> --username <name> [--password <pw>] [--role <role>]
                          Create an account (prints a generated password when none is given).
  user list               List the accounts: id, username, email, role, status, creation date.
  user set-role <account> --role <role>
                          Change an account's role.
  user reset-password <account> [--password <pw>]
                          Set a new password (prints a generated one when none is given) and
                          sign the account out everywhere.
  user disable <account>  Stop the account from signing in or using its API keys, and close
                          every connection it has open. Its data stays.
  user enable <account>   Let a disabled account sign in again.

  <account> is --email <email>, --username <name> or --id <uuid>.
  Roles: ${ROLES.join(', ')} (user create's default is listener).

Options:
  --config <file>         Read settings from this file too (as VEZA_CONFIG_FILE does).
  --version               Print the server's version.
  --help                  Print this help.

Configuration comes from the environment and an optional file; see docs/configuration.md.
Exit codes: 0 done, 1 failed, 2 bad usage or configuration.`;

/**
 * A problem the CLI explains in one line, with a code a script can match: `CODE: message`.
 * `usage` problems (exit code 2) are followed by the help text.
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: 'usage' | 'failure' = 'failure',
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (code: string, message: string): CliError => new CliError(code, message, 'usage');
