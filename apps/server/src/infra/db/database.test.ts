import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { capturingLogger } from '../../test-support/embedded-clusters.js';
import { openDatabase } from './database.js';

/*
 * An external DATABASE_URL is the operator's choice; connecting it as a superuser works, but
 * gives SQL run through a flaw the whole machine, so the server says so at start.
 */

const adminUrl = inject('adminDatabaseUrl');
const suffix = randomBytes(4).toString('hex');
const role = `veza_owner_${suffix}`;
const database = `veza_owned_${suffix}`;
const password = randomBytes(12).toString('hex');

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const urlFor = (user: string, secret: string, db: string): string => {
  const url = new URL(adminUrl);
  url.username = user;
  url.password = secret;
  url.pathname = `/${db}`;
  return url.toString();
};

afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin(`DROP ROLE IF EXISTS ${role}`);
});

const superuserWarnings = (lines: { msg: string }[]): string[] =>
  lines.filter((line) => line.msg.includes('a PostgreSQL superuser')).map((line) => line.msg);

describe('openDatabase with an external DATABASE_URL', () => {
  it('warns when it connects as a superuser', async () => {
    const { logger, lines } = capturingLogger();
    const handle = await openDatabase({ databaseUrl: adminUrl, dataDir: '/nonexistent' }, logger, {
      warnIfSuperuser: true,
    });
    expect(handle).toMatchObject({ connectionString: adminUrl, embedded: false });
    const warnings = superuserWarnings(lines);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^DATABASE_URL connects as ".+", a PostgreSQL superuser;/);
    expect(warnings[0]).toContain('docs/operations.md');
    // The password of the URL is nowhere in the log.
    expect(JSON.stringify(lines)).not.toContain(new URL(adminUrl).password || '\0');
  });

  it('says nothing for the role docs/operations.md describes: owns its database, not a superuser', async () => {
    // The statements of docs/operations.md, "Database roles".
    await admin(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await admin(`CREATE DATABASE ${database} OWNER ${role}`);
    const { logger, lines } = capturingLogger();
    await openDatabase({ databaseUrl: urlFor(role, password, database), dataDir: '/nonexistent' }, logger, {
      warnIfSuperuser: true,
    });
    expect(superuserWarnings(lines)).toEqual([]);
  });

  it('leaves an unreachable DATABASE_URL for the migrations to report', async () => {
    const { logger, lines } = capturingLogger();
    const unreachable = new URL(urlFor(role, password, database));
    unreachable.port = '1'; // nothing listens there
    await expect(
      openDatabase({ databaseUrl: unreachable.toString(), dataDir: '/nonexistent' }, logger, { warnIfSuperuser: true }),
    ).resolves.toMatchObject({ embedded: false });
    expect(superuserWarnings(lines)).toEqual([]);
  });
});
