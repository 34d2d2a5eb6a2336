import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportContext, ReportPage, ReportReceipt } from '@veza/shared';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { api, connectSynced, createRoom, sendMessage, wsUrl } from '../../test-support/chat.js';
import { actOk } from '../../test-support/moderation.js';
import { socketTracker } from '../../test-support/ws-client.js';

let t: TestApp;
let url: string;
const sockets = socketTracker();
beforeAll(async () => {
  t = await createTestApp({ limits: { moderationReports: { capacity: 5, refillPerSecond: 0.001 } } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = wsUrl(t);
});
afterAll(async () => {
  sockets.terminateAll();
  await t.close();
});

const report = (token: string, target: object, reason = 'spam') =>
  api(t, 'POST', '/reports', token, { target, reason, details: 'details' });

async function postedMessage(visibility: 'public' | 'private' = 'public') {
  const author = await signUp(t);
  const room = await createRoom(t, author.accessToken, visibility);
  const socket = sockets.track(await connectSynced(url, author.accessToken, { [room.id]: 0 }));
  const acks = [];
  for (const body of ['one', 'two', 'reported', 'four']) acks.push(await sendMessage(socket, room.id, body));
  return { author, room, messageId: acks[2]!.messageId };
}

describe('reports', () => {
  it('groups reports of one target: the same reporter gets the same receipt, others raise the count', async () => {
    const moderator = await signUp(t, 'moderator');
    const { messageId } = await postedMessage();
    const first = await signUp(t);
    const second = await signUp(t);
    const a = await report(first.accessToken, { type: 'message', messageId });
    expect(a.statusCode, a.body).toBe(201);
    const again = await report(first.accessToken, { type: 'message', messageId });
    expect(again.json<ReportReceipt>()).toEqual(a.json<ReportReceipt>());
    const b = await report(second.accessToken, { type: 'message', messageId });
    expect(b.json<ReportReceipt>().id).toBe(a.json<ReportReceipt>().id);

    const page = (await api(t, 'GET', '/moderation/reports?limit=100', moderator.accessToken)).json<ReportPage>();
    const item = page.reports.find((r) => r.id === a.json<ReportReceipt>().id)!;
    expect(item).toMatchObject({ reportCount: 2, source: 'user', state: 'open', reporter: { id: first.user.id } });
    expect(page.openCount).toBeGreaterThanOrEqual(1);
  });

  it('refuses unknown targets, oneself, and messages of private rooms the reporter is not in', async () => {
    const stranger = await signUp(t);
    expect((await report(stranger.accessToken, { type: 'message', messageId: randomUUID() })).statusCode).toBe(404);
    expect((await report(stranger.accessToken, { type: 'user', userId: randomUUID() })).statusCode).toBe(404);
    expect((await report(stranger.accessToken, { type: 'track', trackId: randomUUID() })).statusCode).toBe(404);
    expect((await report(stranger.accessToken, { type: 'user', userId: stranger.user.id })).statusCode).toBe(400);
    const { messageId } = await postedMessage('private');
    const hidden = await report(stranger.accessToken, { type: 'message', messageId });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.code).toBe('NOT_FOUND');
  });

  it('refuses oversized details and unknown fields with coded errors', async () => {
    const user = await signUp(t);
    const target = { type: 'user', userId: (await signUp(t)).user.id };
    const big = await api(t, 'POST', '/reports', user.accessToken, {
      target,
      reason: 'spam',
      details: 'x'.repeat(1001),
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.code).toBe('VALIDATION_FAILED');
    const extra = await api(t, 'POST', '/reports', user.accessToken, { target, reason: 'spam', sneaky: true });
    expect(extra.statusCode).toBe(400);
  });

  it('stops a report flood with RATE_LIMITED and keeps what was reported before', async () => {
    const moderator = await signUp(t, 'moderator');
    const flooder = await signUp(t);
    const targets = await Promise.all(Array.from({ length: 7 }, () => signUp(t)));
    const statuses: number[] = [];
    const receipts: string[] = [];
    for (const target of targets) {
      const response = await report(flooder.accessToken, { type: 'user', userId: target.user.id });
      statuses.push(response.statusCode);
      if (response.statusCode === 201) receipts.push(response.json<ReportReceipt>().id);
    }
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const page = (await api(t, 'GET', '/moderation/reports?limit=100', moderator.accessToken)).json<ReportPage>();
    for (const id of receipts) expect(page.reports.some((r) => r.id === id)).toBe(true);
    // A repeat of an open report is answered from its receipt, flood or not.
    const repeat = await report(flooder.accessToken, { type: 'user', userId: targets[0]!.user.id });
    expect(repeat.statusCode).toBe(201);
  });

  it('gives the context of a message report and resolves it with an action', async () => {
    const moderator = await signUp(t, 'moderator');
    const { messageId, author } = await postedMessage();
    const reporter = await signUp(t);
    const receipt = (await report(reporter.accessToken, { type: 'message', messageId })).json<ReportReceipt>();
    const context = (
      await api(t, 'GET', `/moderation/reports/${receipt.id}/context`, moderator.accessToken)
    ).json<ReportContext>();
    expect(context.before.map((m) => m.body)).toEqual(['one', 'two']);
    expect(context.after.map((m) => m.body)).toEqual(['four']);
    expect(context.user.user.id).toBe(author.user.id);

    const result = await actOk(t, moderator.accessToken, { action: 'delete', messageId, reportId: receipt.id });
    expect(result.report).toMatchObject({ state: 'resolved', resolution: 'delete', target: { visibility: 'deleted' } });
    // Settled once only.
    const twice = await api(t, 'POST', '/moderation/actions', moderator.accessToken, {
      action: 'dismiss',
      reportId: receipt.id,
    });
    expect(twice.statusCode).toBe(409);
  });

  it('pages the queue oldest first with a cursor and refuses a forged cursor', async () => {
    const moderator = await signUp(t, 'moderator');
    const reporter = await signUp(t);
    for (let i = 0; i < 3; i++) await report(reporter.accessToken, { type: 'user', userId: (await signUp(t)).user.id });
    const first = (await api(t, 'GET', '/moderation/reports?limit=2', moderator.accessToken)).json<ReportPage>();
    expect(first.nextCursor).not.toBeNull();
    const second = (
      await api(t, 'GET', `/moderation/reports?limit=2&cursor=${first.nextCursor}`, moderator.accessToken)
    ).json<ReportPage>();
    expect(second.reports[0]!.createdAt >= first.reports[1]!.createdAt).toBe(true);
    expect(second.reports.map((r) => r.id)).not.toContain(first.reports[0]!.id);
    const forged = await api(t, 'GET', "/moderation/reports?cursor=1';drop", moderator.accessToken);
    expect(forged.statusCode).toBe(400);
  });

  it('keeps notes and shows the user file', async () => {
    const moderator = await signUp(t, 'moderator');
    const user = await signUp(t);
    const note = await api(t, 'POST', `/moderation/users/${user.user.id}/notes`, moderator.accessToken, {
      body: 'Known for trolling',
    });
    expect(note.statusCode).toBe(201);
    const file = (await api(t, 'GET', `/moderation/users/${user.user.id}`, moderator.accessToken)).json();
    expect(file.notes.map((n: { body: string }) => n.body)).toEqual(['Known for trolling']);
    expect(file.sessions.length).toBeGreaterThan(0);
    const found = (
      await api(t, 'GET', `/moderation/users?q=${user.user.username.slice(0, 8)}`, moderator.accessToken)
    ).json();
    expect(found.users.some((u: { id: string }) => u.id === user.user.id)).toBe(true);
    // LIKE wildcards are matched literally.
    const wild = (await api(t, 'GET', '/moderation/users?q=%25', moderator.accessToken)).json();
    expect(wild.users).toEqual([]);
  });
});
