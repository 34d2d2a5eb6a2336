/*
 * When initdb or postgres fails, the person reading the error needs PostgreSQL's own words and
 * a next step; "initdb failed" alone leaves them guessing.
 */

export type EmbeddedPostgresErrorCode =
  | 'EMBEDDED_POSTGRES_UNAVAILABLE'
  | 'EMBEDDED_POSTGRES_RUN_AS'
  | 'EMBEDDED_POSTGRES_INSTALL'
  | 'EMBEDDED_POSTGRES_CLUSTER_LOCATION'
  | 'EMBEDDED_POSTGRES_INITDB_FAILED'
  | 'EMBEDDED_POSTGRES_START_FAILED'
  | 'EMBEDDED_POSTGRES_ROLE_SETUP_FAILED'
  | 'EMBEDDED_POSTGRES_STOP_FAILED';

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
  /** What initdb or postgres printed, when the error is theirs. */
  readonly postgresOutput: string | undefined;
  constructor(
    message: string,
    readonly code: EmbeddedPostgresErrorCode = 'EMBEDDED_POSTGRES_UNAVAILABLE',
    options: ErrorOptions & { postgresOutput?: string } = {},
  ) {
    super(message, options);
    this.postgresOutput = options.postgresOutput;
  }
}

export interface FailureContext {
  /** The cluster directory PostgreSQL was given (-D). */
  pgdata: string;
  /** Where bin/, lib/ and share/ of the PostgreSQL in use are. */
  installDir: string;
  /** The user PostgreSQL runs as. */
  runAsName: string;
  logFile?: string;
}

const MAX_OUTPUT_LINES = 30;

/** The last lines of PostgreSQL's output, indented under the message. */
export function quoteOutput(output: string): string {
  const lines = output.trimEnd().split('\n');
  const kept = lines.slice(-MAX_OUTPUT_LINES);
  const skipped = lines.length - kept.length;
  return [skipped > 0 ? `  … (${skipped} earlier lines)` : undefined, ...kept.map((line) => `  ${line}`)]
    .filter((line) => line !== undefined)
    .join('\n');
}

/** PostgreSQL's words that mean another port will do. */
export function isPortConflict(output: string): boolean {
  return /could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(output);
}

/** What to do about what PostgreSQL said, most specific first. */
export function adviceFor(output: string, context: FailureContext): string {
  const { pgdata, installDir, runAsName } = context;
  if (isPortConflict(output))
    return 'Another program took the port PostgreSQL was given between the check and the start; start again.';
  if (/database files are incompatible with server|PG_VERSION/i.test(output))
    return (
      `The cluster in ${pgdata} was made by another PostgreSQL version. Restore a backup made with this ` +
      'version, or start the cluster with the version that made it and move the data over with pg_dumpall.'
    );
  if (/lock file .* already exists|Is another postmaster|shared memory block .* is still in use/i.test(output))
    return `Another PostgreSQL is running on ${pgdata}: stop it (its pid is the first line of postmaster.pid) and start again.`;
  if (/No space left on device/i.test(output)) return `The disk holding ${pgdata} is full: free some space.`;
  if (/Permission denied|must be owned by|has invalid permissions/i.test(output))
    return (
      `PostgreSQL runs as "${runAsName}", which must own ${pgdata} (mode 0700) and be able to read ${installDir}. ` +
      `Check with: ls -ld ${pgdata}`
    );
  if (/corrupted installation|could not access file|could not load library|No such file or directory/i.test(output))
    return (
      `The PostgreSQL installation in ${installDir} looks incomplete: reinstall the dependencies ` +
      '(pnpm install --frozen-lockfile), then start again.'
    );
  return (
    'Read PostgreSQL’s message above. If the cluster cannot be repaired, restore a backup of the data dir, ' +
    'or set DATABASE_URL to use an external PostgreSQL.'
  );
}

/** A failure of initdb or postgres, with their output and what to do. */
export function describeFailure(headline: string, output: string, context: FailureContext): string {
  const said = output.trim() === '' ? '  (PostgreSQL printed nothing)' : quoteOutput(output);
  const log = context.logFile ? `\nThe full PostgreSQL log is ${context.logFile}.` : '';
  return `${headline}\nPostgreSQL said:\n${said}\nWhat to do: ${adviceFor(output, context)}${log}`;
}
