import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuthSession, ReportReceipt, Role } from '@veza/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent, Settings } from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { openCacheDatabase, type CacheDb } from '../cache/database.js';
import { FileSecretStore } from '../session/secret-store.js';
import { accountDir, SessionManager } from '../session/session-manager.js';
import { defaultSettings } from '../settings/settings-store.js';
import { AdminService } from './admin-service.js';

/** A moderator's (or admin's) core-side admin service, signed in for real, with its own cache file. */
interface AdminFixture {
  user: AuthSession['user'];
  service: AdminService;
  db: CacheDb;
  dbFile: string;
  events: CoreEvent[];
  online: { value: boolean };
  settings: Settings;
  reopen(): AdminService;
  close(): Promise<void>;
}

let server: TestServer;
let moderator: AdminFixture;
let admin: AdminFixture;
const fixtures: AdminFixture[] = [];

async function createAdminFixture(role: Role): Promise<AdminFixture> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'veza-admin-'));
  const account = await server.signUp(role);
  const session = new SessionManager(dataDir, new FileSecretStore(path.join(dataDir, 'secrets.json')));
  await session.signIn({ serverUrl: server.url, login: account.user.username, password: account.password });
  const dbFile = path.join(accountDir(dataDir, server.url, account.user.id), 'cache.sqlite');
  const events: CoreEvent[] = [];
  const online = { value: true };
  const settings = { ...defaultSettings(dataDir), downloadsDir: path.join(dataDir, 'downloads') };
  const fixture: AdminFixture = {
    user: account.user,
    db: openCacheDatabase(dbFile),
    dbFile,
    events,
    online,
    settings,
    service: null as unknown as AdminService,
    reopen() {
      fixture.service = new AdminService({
        db: fixture.db,
        api: session.api(),
        settings: () => settings,
        emit: (event) => events.push(event),
        isOnline: () => online.value,
      });
      return fixture.service;
    },
    async close() {
      await fixture.service.stop();
      fixture.db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  fixture.reopen();
  fixtures.push(fixture);
  return fixture;
}

async function api<T>(token: string, method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/v1${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** Someone reports a user over REST, as the listener's app does. */
async function reportUser(userId: string): Promise<ReportReceipt> {
  const reporter = await server.signUp('listener');
  return api<ReportReceipt>(reporter.accessToken, 'POST', '/reports', {
    target: { type: 'user', userId },
    reason: 'spam',
    details: 'Advertising in every room',
  });
}

/** Runs `body` with the server down, as the app sees it: the socket offline, requests refused. */
async function whileServerDown(fixture: AdminFixture, body: () => Promise<void>): Promise<void> {
  await server.stop();
  fixture.online.value = false;
  try {
    await body();
  } finally {
    await server.restart();
    fixture.online.value = true;
  }
}

beforeAll(async () => {
  server = await startTestServer();
  moderator = await createAdminFixture('moderator');
  admin = await createAdminFixture('admin');
}, 120_000);
afterAll(async () => {
  for (const fixture of fixtures) await fixture.close();
  await server?.close();
});

describe('the reports queue offline', () => {
  it('reads the queue and the contexts already opened from the cache, and says so', async () => {
    const spammer = await server.signUp('listener');
    const receipt = await reportUser(spammer.user.id);
    const unopened = await reportUser((await server.signUp('listener')).user.id);

    const page = await moderator.service.listModerationReports({});
    expect(page.fromCache).toBe(false);
    expect(page.reports.map((r) => r.id)).toEqual(expect.arrayContaining([receipt.id, unopened.id]));
    const context = await moderator.service.getReportContext({ reportId: receipt.id });
    expect(context.fromCache).toBe(false);
    expect(context.context.user.user.id).toBe(spammer.user.id);

    await whileServerDown(moderator, async () => {
      const cached = await moderator.service.listModerationReports({});
      expect(cached.fromCache).toBe(true);
      expect(cached.reports.map((r) => r.id)).toEqual(page.reports.map((r) => r.id));
      const cachedContext = await moderator.service.getReportContext({ reportId: receipt.id });
      expect(cachedContext).toEqual({ context: context.context, fromCache: true });
      // Never opened here: nothing to show, and it says why.
      await expect(moderator.service.getReportContext({ reportId: unopened.id })).rejects.toMatchObject({
        code: 'NOT_AVAILABLE_OFFLINE',
      });
      // The user seen in the queue is searchable offline.
      const users = await moderator.service.searchModeratedUsers({ q: spammer.user.username.slice(0, 8) });
      expect(users.fromCache).toBe(true);
      expect(users.users.map((u) => u.id)).toContain(spammer.user.id);
    });
  });
});

describe('moderation actions taken offline', () => {
  it('are kept in SQLite across a restart and applied in order when the connection returns', async () => {
    const first = await reportUser((await server.signUp('listener')).user.id);
    const troll = await server.signUp('listener');
    const second = await reportUser(troll.user.id);
    await moderator.service.listModerationReports({});

    await whileServerDown(moderator, async () => {
      const dismissed = await moderator.service.takeModerationAction({
        action: { action: 'dismiss', reportId: first.id },
      });
      expect(dismissed.status).toBe('queued');
      const timedOut = await moderator.service.takeModerationAction({
        action: {
          action: 'timeout',
          userId: troll.user.id,
          durationSeconds: 600,
          reason: 'Cool off',
          reportId: second.id,
        },
      });
      expect(timedOut.status).toBe('queued');
      expect(moderator.events).toContainEqual({
        type: 'moderation.actions.changed',
        pending: [
          expect.objectContaining({ state: 'queued', body: { action: 'dismiss', reportId: first.id } }),
          expect.objectContaining({ state: 'queued', body: expect.objectContaining({ action: 'timeout' }) }),
        ],
      });
    });
    // The app restarts before the replay: the queue is in the cache file, not in memory.
    await moderator.service.stop();
    moderator.db.close();
    moderator.db = openCacheDatabase(moderator.dbFile);
    const service = moderator.reopen();
    expect((await service.listPendingModerationActions()).map((p) => p.body.action)).toEqual(['dismiss', 'timeout']);

    expect(await service.flushActions()).toBe(2);
    expect(await service.listPendingModerationActions()).toEqual([]);
    const open = await service.listModerationReports({});
    expect(open.reports.map((r) => r.id)).not.toContain(first.id);
    expect(open.reports.map((r) => r.id)).not.toContain(second.id);
    const file = await service.getModeratedUser({ userId: troll.user.id });
    expect(file.file.user.mutedUntil).not.toBeNull();
    expect(moderator.events).toContainEqual({ type: 'moderation.queue.changed' });
  });

  it('shows an action the server refuses on replay as failed with its reason, and still sends the ones after it', async () => {
    const victim = await reportUser((await server.signUp('listener')).user.id);
    await whileServerDown(moderator, async () => {
      // A moderator cannot ban an admin: allowed to queue, refused by the server when it arrives.
      await moderator.service.takeModerationAction({
        action: { action: 'ban', userId: admin.user.id, reason: 'Testing rank' },
      });
      await moderator.service.takeModerationAction({ action: { action: 'dismiss', reportId: victim.id } });
    });
    expect(await moderator.service.flushActions()).toBe(1);
    const pending = await moderator.service.listPendingModerationActions();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ state: 'failed', body: { action: 'ban', userId: admin.user.id } });
    expect(pending[0]!.error?.code).toBe('FORBIDDEN');
    expect(pending[0]!.error?.message).toMatch(/\S/);
    // A failed action is not retried by itself: it waits for the moderator to read and discard it.
    expect(await moderator.service.flushActions()).toBe(0);
    expect(await moderator.service.discardModerationAction({ id: pending[0]!.id })).toEqual([]);
  });

  it('are applied at once online, and a refusal comes back to the caller as the server said it', async () => {
    const receipt = await reportUser((await server.signUp('listener')).user.id);
    const outcome = await moderator.service.takeModerationAction({
      action: { action: 'dismiss', reportId: receipt.id },
    });
    expect(outcome).toMatchObject({
      status: 'applied',
      result: { action: 'dismiss', report: { id: receipt.id, state: 'dismissed' } },
    });
    const refused = moderator.service.takeModerationAction({
      action: { action: 'timeout', userId: moderator.user.id, durationSeconds: 600, reason: 'Myself' },
    });
    await expect(refused).rejects.toBeInstanceOf(DesktopError);
    expect(await moderator.service.listPendingModerationActions()).toEqual([]);
  });
});

describe('users, rules and the audit log', () => {
  it('adds notes and changes roles online only; the admin sees the role change in the audit log', async () => {
    const someone = await server.signUp('listener');
    const note = await moderator.service.addUserNote({ userId: someone.user.id, note: { body: 'Warned in DMs' } });
    expect(note.body).toBe('Warned in DMs');
    const user = await admin.service.changeUserRole({ userId: someone.user.id, role: 'artist' });
    expect(user.role).toBe('artist');
    // A moderator lacks users:manage: the server refuses, the app does not pretend.
    await expect(moderator.service.changeUserRole({ userId: someone.user.id, role: 'admin' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await whileServerDown(moderator, async () => {
      await expect(
        moderator.service.addUserNote({ userId: someone.user.id, note: { body: 'x' } }),
      ).rejects.toMatchObject({
        code: 'OFFLINE',
      });
    });
    const file = await moderator.service.getModeratedUser({ userId: someone.user.id });
    expect(file.file.notes.map((n) => n.body)).toContain('Warned in DMs');

    const filters = { targetId: someone.user.id };
    const audit = await admin.service.listAudit({ filters });
    expect(audit.entries.map((e) => e.action)).toContain('role.change');
    await whileServerDown(admin, async () => {
      expect(await admin.service.listAudit({ filters })).toEqual({ ...audit, fromCache: true });
      await expect(admin.service.listAudit({ filters: { action: 'ban' } })).rejects.toMatchObject({
        code: 'NOT_AVAILABLE_OFFLINE',
      });
    });
  });

  it('exports the filtered audit log as a CSV file in the downloads folder', async () => {
    const saved = await admin.service.exportAuditCsv({ filters: { action: 'role.change' } });
    expect(path.dirname(saved.path)).toBe(admin.settings.downloadsDir);
    const csv = await readFile(saved.path, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/action/i);
    expect(csv).toContain('role.change');
    expect(saved.bytes).toBe(Buffer.byteLength(csv));
  });

  it('saves rules, answers RULE_INVALID for what the engine refuses, and reads the rules offline', async () => {
    const body = {
      name: 'No scams',
      enabled: true,
      roomId: null,
      config: { kind: 'keywords' as const, keywords: ['scam'], patterns: [], allow: [], preset: false },
      action: 'block' as const,
      timeoutSeconds: null,
      reason: 'No scams here.',
      exemptRoles: [],
      exemptRoomRoles: [],
    };
    const rule = await moderator.service.createModerationRule({ rule: body });
    await expect(
      moderator.service.updateModerationRule({
        ruleId: rule.id,
        rule: { ...body, config: { ...body.config, patterns: ['(a)\\1'] } },
      }),
    ).rejects.toMatchObject({ code: 'RULE_INVALID', message: expect.stringMatching(/pattern/) });
    const test = await moderator.service.testModerationRule({ body: 'total 5c4m' });
    expect(test.action).toBe('block');
    const rules = await moderator.service.listModerationRules();
    expect(rules.rules.map((r) => r.id)).toContain(rule.id);
    await whileServerDown(moderator, async () => {
      expect(await moderator.service.listModerationRules()).toEqual({ ...rules, fromCache: true });
    });
    await moderator.service.deleteModerationRule({ ruleId: rule.id });
  });
});
