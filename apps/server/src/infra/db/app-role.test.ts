import fs from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterKit } from '../../test-support/embedded-clusters.js';
import { createLogger } from '../logger.js';
import { scramVerifier } from './app-role.js';
import { clusterPaths, type EmbeddedPostgres } from './embedded-postgres.js';
import { migrate } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { withClient } from './with-client.js';

/*
 * Security finding 6: the server connected to its embedded database as initdb's superuser, so
 * SQL run through a flaw could read files and start programs as the postgres user. It now
 * connects as veza_app, which owns the veza database and nothing else.
 */

const kit = new ClusterKit();
afterAll(() => kit.cleanup(), 120_000);
const silent = createLogger('silent');

interface RoleRow {
  user: string;
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
}

const describeCurrentRole = (connectionString: string): Promise<RoleRow> =>
  withClient(
    connectionString,
    async (client) =>
      (
        await client.query<RoleRow>(
          `SELECT current_user AS user, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls
           FROM pg_roles WHERE rolname = current_user`,
        )
      ).rows[0]!,
  );

/** Owners of everything in the app's schemas that is not part of an extension. */
const ownersOfAppObjects = (connectionString: string): Promise<string[]> =>
  withClient(connectionString, async (client) => {
    const { rows } = await client.query<{ owner: string }>(
      `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
       UNION
       SELECT DISTINCT pg_get_userbyid(p.proowner)
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
       UNION
       SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'veza'`,
    );
    return rows.map((row) => row.owner).sort();
  });

/** A later migration that changes what earlier ones made: only their owner may. */
const laterMigration: Migration = {
  version: 10_000,
  name: 'alter earlier tables',
  sql: `ALTER TABLE users ADD COLUMN later_note text;
        CREATE INDEX users_later_note ON users (later_note);
        ALTER TABLE tracks ALTER COLUMN title SET STATISTICS 200;
        CREATE OR REPLACE FUNCTION veza_unaccent(text) RETURNS text
          LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
          RETURN public.unaccent('public.unaccent'::regdictionary, $1);`,
};

describe('the role the server connects as', () => {
  let cluster: EmbeddedPostgres;
  let dataDir: string;

  it('is not a superuser, cannot make roles or databases, and can run every migration', async () => {
    dataDir = await kit.tempDir('data');
    cluster = kit.cluster({ dataDir });
    await cluster.start();

    expect(await describeCurrentRole(cluster.connectionString())).toEqual({
      user: 'veza_app',
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolreplication: false,
      rolbypassrls: false,
    });
    // The administration connection stays a superuser (the tests' databases are made with it).
    expect(await describeCurrentRole(cluster.adminConnectionString())).toMatchObject({ user: 'veza', rolsuper: true });

    const result = await migrate(cluster.connectionString(), silent, [...MIGRATIONS, laterMigration]);
    expect(result.current).toBe(laterMigration.version);
    expect(await ownersOfAppObjects(cluster.adminConnectionString('veza'))).toEqual(['veza_app']);

    // What only a superuser could do, refused.
    await withClient(cluster.connectionString(), async (client) => {
      await expect(client.query("COPY (SELECT 1) TO PROGRAM 'true'")).rejects.toMatchObject({ code: '42501' });
      await expect(client.query("SELECT pg_read_file('PG_VERSION')")).rejects.toMatchObject({ code: '42501' });
      await expect(client.query('CREATE DATABASE elsewhere')).rejects.toMatchObject({ code: '42501' });
      await expect(client.query('CREATE ROLE another')).rejects.toMatchObject({ code: '42501' });
    });
  });

  it('logs in with the SCRAM verifier we compute, as with one PostgreSQL computes', async () => {
    // The app role's password is sent as a verifier, so it never appears in a statement.
    const verifier = scramVerifier('a password', Buffer.from('0123456789abcdef'));
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:MDEyMzQ1Njc4OWFiY2RlZg==\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    await withClient(cluster.adminConnectionString(), (client) =>
      client.query(`CREATE ROLE scram_check LOGIN PASSWORD ${client.escapeLiteral(verifier)}`),
    );
    const url = new URL(cluster.adminConnectionString());
    url.username = 'scram_check';
    url.password = 'a password';
    expect(await describeCurrentRole(url.toString())).toMatchObject({ user: 'scram_check' });
    url.password = 'another password';
    await expect(describeCurrentRole(url.toString())).rejects.toMatchObject({ code: '28P01' });
  });

  it('gets its attributes and password back on the next start when someone changed them', async () => {
    await withClient(cluster.adminConnectionString(), (client) =>
      client.query("ALTER ROLE veza_app SUPERUSER CREATEDB PASSWORD 'changed-by-hand'"),
    );
    await cluster.stop();
    await cluster.start();
    expect(await describeCurrentRole(cluster.connectionString())).toMatchObject({
      rolsuper: false,
      rolcreatedb: false,
    });
    await cluster.stop();
  });

  it('is created on an existing cluster of an earlier version, which hands it the database and its tables', async () => {
    // Recreate what an earlier version left: no app role, the database and everything in it
    // owned by the superuser, migrated as the superuser.
    await cluster.start();
    await withClient(cluster.adminConnectionString(), async (client) => {
      await client.query('DROP DATABASE veza WITH (FORCE)');
      await client.query('CREATE DATABASE veza');
      await client.query('DROP ROLE veza_app');
    });
    await migrate(cluster.adminConnectionString('veza'), silent);
    await withClient(cluster.adminConnectionString('veza'), (client) =>
      client.query(
        `INSERT INTO users (id, email, username, password_hash, role, created_at)
         VALUES (gen_random_uuid(), 'old@example.test', 'old', 'x', 'admin', now())`,
      ),
    );
    expect(await ownersOfAppObjects(cluster.adminConnectionString('veza'))).toEqual(['veza']);
    await cluster.stop();
    await fs.rm(clusterPaths(dataDir).appPasswordFile);

    await cluster.start();

    expect(await describeCurrentRole(cluster.connectionString())).toMatchObject({ user: 'veza_app', rolsuper: false });
    expect(await ownersOfAppObjects(cluster.adminConnectionString('veza'))).toEqual(['veza_app']);
    const result = await migrate(cluster.connectionString(), silent, [...MIGRATIONS, laterMigration]);
    expect(result.applied).toEqual([laterMigration.version]);
    const users = await withClient(cluster.connectionString(), async (client) => {
      await client.query("UPDATE users SET later_note = 'kept' WHERE username = 'old'");
      return (await client.query<{ username: string; later_note: string }>('SELECT username, later_note FROM users'))
        .rows;
    });
    expect(users).toEqual([{ username: 'old', later_note: 'kept' }]);
    await cluster.stop();
  });
});
