import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditPage } from '@veza/shared';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { api } from '../../test-support/chat.js';
import { actOk } from '../../test-support/moderation.js';
import { csvCell } from './csv.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('csv cells', () => {
  it('quotes separators and quotes, and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    for (const start of ['+', '-', '@', '\t']) expect(csvCell(`${start}1`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell(null)).toBe('');
  });
});

describe('audit log', () => {
  it('records role changes with before and after', async () => {
    const admin = await signUp(t, 'admin');
    const user = await signUp(t);
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${user.user.id}`,
      headers: { authorization: `Bearer ${admin.accessToken}` },
      payload: { role: 'artist' },
    });
    expect(response.statusCode).toBe(200);
    const page = (
      await api(t, 'GET', `/moderation/audit?targetId=${user.user.id}&action=role.change`, admin.accessToken)
    ).json<AuditPage>();
    expect(page.entries[0]).toMatchObject({
      action: 'role.change',
      actor: { id: admin.user.id },
      before: { role: 'listener' },
      after: { role: 'artist' },
    });
  });

  it('filters by actor and pages newest first', async () => {
    const moderator = await signUp(t, 'moderator');
    const users = await Promise.all([signUp(t), signUp(t), signUp(t)]);
    for (const user of users)
      await actOk(t, moderator.accessToken, { action: 'warn', userId: user.user.id, reason: 'w' });
    const first = (
      await api(t, 'GET', `/moderation/audit?actorId=${moderator.user.id}&limit=2`, moderator.accessToken)
    ).json<AuditPage>();
    expect(first.entries.map((e) => e.target.id)).toEqual([users[2]!.user.id, users[1]!.user.id]);
    const second = (
      await api(
        t,
        'GET',
        `/moderation/audit?actorId=${moderator.user.id}&limit=2&cursor=${first.nextCursor}`,
        moderator.accessToken,
      )
    ).json<AuditPage>();
    expect(second.entries.map((e) => e.target.id)).toEqual([users[0]!.user.id]);
    expect(second.nextCursor).toBeNull();
  });

  it('exports CSV, formula-safe, with format=csv or Accept: text/csv', async () => {
    const moderator = await signUp(t, 'moderator');
    const user = await signUp(t);
    await actOk(t, moderator.accessToken, {
      action: 'warn',
      userId: user.user.id,
      reason: '=cmd|"/c calc"!A1, really',
    });
    const viaQuery = await api(
      t,
      'GET',
      `/moderation/audit?format=csv&targetId=${user.user.id}`,
      moderator.accessToken,
    );
    expect(viaQuery.statusCode).toBe(200);
    expect(viaQuery.headers['content-type']).toContain('text/csv');
    const lines = viaQuery.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,createdAt,action/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=cmd|""/c calc""!A1, really"`);
    const viaAccept = await t.app.inject({
      method: 'GET',
      url: `/api/v1/moderation/audit?targetId=${user.user.id}`,
      headers: { authorization: `Bearer ${moderator.accessToken}`, accept: 'text/csv' },
    });
    expect(viaAccept.body).toBe(viaQuery.body);
  });

  it('is append-only in the database', async () => {
    const moderator = await signUp(t, 'moderator');
    await actOk(t, moderator.accessToken, { action: 'warn', userId: (await signUp(t)).user.id, reason: 'w' });
    await expect(t.database.db.query("UPDATE audit_log SET reason = 'rewritten'")).rejects.toThrow(/append-only/);
    await expect(t.database.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(t.database.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
  });

  it('refuses a forged cursor and a bad action filter', async () => {
    const moderator = await signUp(t, 'moderator');
    expect((await api(t, 'GET', '/moderation/audit?cursor=zzz', moderator.accessToken)).statusCode).toBe(400);
    expect((await api(t, 'GET', "/moderation/audit?action=x';--", moderator.accessToken)).statusCode).toBe(400);
  });
});
