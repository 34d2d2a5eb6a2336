import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSession } from '@veza/shared';
import { systemClock } from '../infra/clock.js';
import { createLogger } from '../infra/logger.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { createTestDatabase } from '../test-support/database.js';
import { seedDemoRooms } from './demo-rooms.js';
import { DEMO_CREDENTIALS_FILE, formatDemoBanner, seedDemo, type DemoAccount } from './seed.js';

const logger = createLogger('silent');
let t: TestApp;
let root: string;
let dataDir: string;

beforeAll(async () => {
  t = await createTestApp();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-seed-'));
  dataDir = path.join(root, 'data');
  await fs.mkdir(dataDir, { mode: 0o700 });
});
afterAll(async () => {
  await t?.close();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

async function usersByName(): Promise<Map<string, { role: string; email: string }>> {
  const { rows } = await t.database.db.query<{ username: string; role: string; email: string }>(
    'SELECT username, role, email FROM users',
  );
  return new Map(rows.map((r) => [r.username, { role: r.role, email: r.email }]));
}

const login = (loginName: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: loginName, password } });

describe('seedDemo', () => {
  let created: DemoAccount[] | undefined;

  it('creates demo-admin, demo-artist and demo-listener on a fresh database', async () => {
    // A credentials file left from an earlier database must not keep wider rights.
    await fs.writeFile(path.join(dataDir, DEMO_CREDENTIALS_FILE), 'stale\n', { mode: 0o644 });

    created = await seedDemo({ db: t.database.db, clock: systemClock, logger, dataDir, production: false });

    expect(created).toHaveLength(3);
    expect(created!.map(({ role, username, email }) => ({ role, username, email }))).toEqual([
      { role: 'admin', username: 'demo-admin', email: 'admin@demo.veza.local' },
      { role: 'artist', username: 'demo-artist', email: 'artist@demo.veza.local' },
      { role: 'listener', username: 'demo-listener', email: 'listener@demo.veza.local' },
    ]);
    expect(new Set(created!.map((a) => a.password)).size).toBe(3);
    for (const account of created!) expect(account.password.length).toBeGreaterThanOrEqual(20);

    const users = await usersByName();
    expect(users.get('demo-admin')).toEqual({ role: 'admin', email: 'admin@demo.veza.local' });
    expect(users.get('demo-artist')).toEqual({ role: 'artist', email: 'artist@demo.veza.local' });
    expect(users.get('demo-listener')).toEqual({ role: 'listener', email: 'listener@demo.veza.local' });
  });

  it('writes every password to demo-credentials.txt, readable by the owner only', async () => {
    const file = path.join(dataDir, DEMO_CREDENTIALS_FILE);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const text = await fs.readFile(file, 'utf8');
    expect(text).not.toContain('stale');
    for (const account of created!) {
      expect(text).toContain(`${account.role}\t${account.username}\t${account.email}\t${account.password}\n`);
    }
  });

  it('gives passwords that sign in with the right role', async () => {
    for (const account of created!) {
      const response = await login(account.username, account.password);
      expect(response.statusCode, account.username).toBe(200);
      expect(response.json<AuthSession>().user).toMatchObject({ username: account.username, role: account.role });
      expect((await login(account.email, account.password)).statusCode).toBe(200);
      expect((await login(account.username, `${account.password}x`)).statusCode).toBe(401);
    }
  });

  it('creates nothing the second time and leaves the credentials file alone', async () => {
    const file = path.join(dataDir, DEMO_CREDENTIALS_FILE);
    const before = await fs.readFile(file, 'utf8');
    const { rows: countBefore } = await t.database.db.query<{ count: string }>('SELECT count(*) FROM users');

    const again = await seedDemo({ db: t.database.db, clock: systemClock, logger, dataDir, production: false });

    expect(again).toBeUndefined();
    const { rows: countAfter } = await t.database.db.query<{ count: string }>('SELECT count(*) FROM users');
    expect(countAfter[0]!.count).toBe(countBefore[0]!.count);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    // The first passwords still work.
    expect((await login('demo-admin', created![0]!.password)).statusCode).toBe(200);
  });

  it('opens two public rooms every demo account is in, with a conversation that mentions the artist', async () => {
    await seedDemoRooms({ db: t.database.db, chat: t.app.veza.chat });
    const { rows: rooms } = await t.database.db.query<{
      name: string;
      kind: string;
      members: string;
      messages: string;
    }>(
      `SELECT r.name, r.kind,
              (SELECT count(*) FROM room_members m WHERE m.room_id = r.id) AS members,
              (SELECT count(*) FROM messages g WHERE g.room_id = r.id) AS messages
         FROM rooms r ORDER BY r.name`,
    );
    expect(rooms).toEqual([
      { name: 'general', kind: 'public', members: '3', messages: '4' },
      { name: 'new-releases', kind: 'public', members: '3', messages: '1' },
    ]);
    const { rows: mentions } = await t.database.db.query<{ mentions: string[] }>(
      `SELECT mentions FROM messages WHERE body LIKE '%@demo-artist%'`,
    );
    const artist = await t.database.db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'demo-artist'`);
    expect(mentions[0]?.mentions).toEqual([artist.rows[0]!.id]);
  });

  it('creates nothing in production', async () => {
    const database = await createTestDatabase();
    const prodDir = path.join(root, 'prod');
    await fs.mkdir(prodDir);
    try {
      const result = await seedDemo({
        db: database.db,
        clock: systemClock,
        logger,
        dataDir: prodDir,
        production: true,
      });
      expect(result).toBeUndefined();
      const { rows } = await database.db.query<{ count: string }>('SELECT count(*) FROM users');
      expect(Number(rows[0]!.count)).toBe(0);
      await expect(fs.stat(path.join(prodDir, DEMO_CREDENTIALS_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await database.drop();
    }
  });
});

describe('formatDemoBanner', () => {
  it('shows each login and password once, where the file is, and how to sign in with the app', () => {
    const accounts: DemoAccount[] = [
      { role: 'admin', email: 'admin@demo.veza.local', username: 'demo-admin', password: 'pw-admin-123' },
      { role: 'listener', email: 'listener@demo.veza.local', username: 'demo-listener', password: 'pw-listener-456' },
    ];
    const banner = formatDemoBanner(accounts, '/var/lib/veza', 'http://127.0.0.1:8080');
    expect(banner).toContain(path.join('/var/lib/veza', DEMO_CREDENTIALS_FILE));
    // It points at the app to sign in with, not at the API docs.
    expect(banner).toContain('Sign in with one of them in the Veza desktop app');
    expect(banner).toContain('with http://127.0.0.1:8080 as its Server URL');
    expect(banner).not.toContain('/api/docs');
    expect(banner).toMatch(/admin\s+login: demo-admin\s+password: pw-admin-123/);
    expect(banner).toMatch(/listener\s+login: demo-listener\s+password: pw-listener-456/);
  });
});
