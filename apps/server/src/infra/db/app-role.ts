import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { withClient } from './with-client.js';

/*
 * The server connects to its embedded database as `veza_app`: a LOGIN role that owns the `veza`
 * database and everything in it, and may do nothing else (no superuser, no new roles or
 * databases). A flaw that lets a request run SQL then reaches Veza's data, not the files and
 * programs of the machine (a superuser can COPY ... TO PROGRAM). initdb's superuser stays for
 * administration: creating the role, backups, and the test databases.
 *
 * Data dirs from earlier versions have their tables owned by the superuser; every start hands
 * what the superuser owns in `veza` to the app role, so later migrations can alter it.
 */

export const APP_ROLE = 'veza_app';

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677). Sent instead of
 * the password, so the password never appears in a statement PostgreSQL might log. The password
 * is ASCII (base64url), which SASLprep leaves as is.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const ROLE_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT';

/**
 * One kind of object in the app's schemas that the superuser owns and no extension does, as
 * ALTER statements for `app`: `catalog` names its rows, `prefix` its columns (`<prefix>namespace`,
 * `<prefix>owner`), `regtype` the cast that prints a row's name.
 */
const handOverKind = (kind: string, catalog: string, prefix: string, regtype: string, where = ''): string => `
    SELECT format('ALTER ${kind} %s OWNER TO %I', o.oid::${regtype}, app)
      FROM ${catalog} o JOIN app_schemas s ON s.oid = o.${prefix}namespace
      WHERE o.${prefix}owner = current_user::regrole${where}
        AND NOT EXISTS (SELECT 1 FROM extension_members e WHERE e.classid = '${catalog}'::regclass AND e.objid = o.oid)`;

/**
 * Everything the superuser owns in the app's schemas, handed to the app role. Objects of
 * extensions stay with the extension, sequences owned by a column follow their table.
 * REASSIGN OWNED cannot do this: the superuser is the bootstrap role, which owns the catalogs.
 */
const HAND_OVER_SQL = `
DO $$
DECLARE
  app text := '${APP_ROLE}';
  statement text;
BEGIN
  FOR statement IN
    WITH app_schemas AS (
      SELECT oid FROM pg_namespace
      WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
    ),
    extension_members AS (
      SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
    )
    SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, app)
      FROM pg_namespace n JOIN app_schemas s ON s.oid = n.oid
      WHERE n.nspowner = current_user::regrole
        AND NOT EXISTS (SELECT 1 FROM extension_members e WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid)
    UNION ALL
    SELECT format('ALTER %s %s OWNER TO %I',
                  CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                 WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
                  c.oid::regclass, app)
      FROM pg_class c JOIN app_schemas s ON s.oid = c.relnamespace
      WHERE c.relowner = current_user::regrole
        AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
        AND NOT EXISTS (SELECT 1 FROM extension_members e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid)
        AND NOT (c.relkind = 'S' AND EXISTS (
          SELECT 1 FROM pg_depend d
          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
    UNION ALL${handOverKind('ROUTINE', 'pg_proc', 'pro', 'regprocedure')}
    UNION ALL${handOverKind('TYPE', 'pg_type', 'typ', 'regtype', " AND o.typtype IN ('d', 'e', 'r')")}
    UNION ALL${handOverKind('TEXT SEARCH CONFIGURATION', 'pg_ts_config', 'cfg', 'regconfig')}
    UNION ALL${handOverKind('TEXT SEARCH DICTIONARY', 'pg_ts_dict', 'dict', 'regdictionary')}
  LOOP
    EXECUTE statement;
  END LOOP;
END
$$`;

export interface AppRoleSetup {
  /** The superuser's connection string for a database of the cluster. */
  adminConnectionString(database: string): string;
  database: string;
  password: string;
}

/** Creates or corrects the app role and its database; idempotent, run on every start. */
export async function ensureAppRole({ adminConnectionString, database, password }: AppRoleSetup): Promise<void> {
  await withClient(adminConnectionString('postgres'), async (client) => {
    const verifier = client.escapeLiteral(scramVerifier(password));
    const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    // ALTER as well as CREATE: attributes someone loosened by hand are put back.
    await client.query(
      role.rowCount === 0
        ? `CREATE ROLE ${APP_ROLE} ${ROLE_ATTRIBUTES} PASSWORD ${verifier}`
        : `ALTER ROLE ${APP_ROLE} ${ROLE_ATTRIBUTES} PASSWORD ${verifier}`,
    );
    const owner = await client.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [database],
    );
    const name = client.escapeIdentifier(database);
    if (owner.rowCount === 0) await client.query(`CREATE DATABASE ${name} OWNER ${APP_ROLE}`);
    else if (owner.rows[0]!.owner !== APP_ROLE) await client.query(`ALTER DATABASE ${name} OWNER TO ${APP_ROLE}`);
  });
  await withClient(adminConnectionString(database), (client) => client.query(HAND_OVER_SQL));
}
