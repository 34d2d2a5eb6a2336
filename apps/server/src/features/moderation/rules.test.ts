import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RULE_LIMITS,
  type ModerationRule,
  type ModerationRuleBody,
  type ModerationRuleSet,
  type ReportPage,
  type ServerFrame,
  type ServerFrameOf,
} from '@veza/shared';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { api, connectSynced, createRoom, isType, joinRoom, sendMessage, wsUrl } from '../../test-support/chat.js';
import { actOk, auditOf } from '../../test-support/moderation.js';
import { socketTracker, type TestSocket } from '../../test-support/ws-client.js';

let t: TestApp;
let url: string;
const sockets = socketTracker();
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = wsUrl(t);
});
afterAll(async () => {
  sockets.terminateAll();
  await t.close();
});

const ruleBody = (overrides: Partial<ModerationRuleBody> = {}): ModerationRuleBody => ({
  name: 'No spam words',
  enabled: true,
  roomId: null,
  config: { kind: 'keywords', keywords: ['spamword'], patterns: [], allow: [], preset: false },
  action: 'block',
  timeoutSeconds: null,
  reason: 'No spam here.',
  exemptRoles: [],
  exemptRoomRoles: [],
  ...overrides,
});

async function createRule(token: string, body: ModerationRuleBody): Promise<ModerationRule> {
  const response = await api(t, 'POST', '/moderation/rules', token, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<ModerationRule>();
}

/** A room with an owner and a member, both connected and synced. */
async function roomWithMember(): Promise<{
  roomId: string;
  owner: Awaited<ReturnType<typeof signUp>>;
  member: Awaited<ReturnType<typeof signUp>>;
  ownerSocket: TestSocket;
  memberSocket: TestSocket;
}> {
  const owner = await signUp(t);
  const member = await signUp(t);
  const room = await createRoom(t, owner.accessToken);
  await joinRoom(t, member.accessToken, room.id);
  const ownerSocket = sockets.track(await connectSynced(url, owner.accessToken, { [room.id]: 0 }));
  const memberSocket = sockets.track(await connectSynced(url, member.accessToken, { [room.id]: 0 }));
  return { roomId: room.id, owner, member, ownerSocket, memberSocket };
}

const errorFor =
  (clientId: string) =>
  (f: ServerFrame): f is ServerFrameOf<'error'> =>
    f.type === 'error' && f.clientId === clientId;

describe('rules', () => {
  it('blocks a send with MESSAGE_BLOCKED and the clientId, audits it, and tells every client the new version', async () => {
    const moderator = await signUp(t, 'moderator');
    const { roomId, owner, memberSocket, ownerSocket } = await roomWithMember();
    const rule = await createRule(moderator.accessToken, ruleBody({ roomId, reason: 'No spam words here.' }));
    const rulesFrame = await ownerSocket.next(isType('rules'), 'rules frame');
    const effective = (await api(t, 'GET', '/moderation/rules/effective', owner.accessToken)).json<ModerationRuleSet>();
    expect(effective.version).toBe(rulesFrame.version);
    expect(effective.rules.map((r) => r.id)).toContain(rule.id);

    const clientId = randomUUID();
    memberSocket.send({ type: 'send', roomId, clientId, body: 'buy my SP4MW0RD now' });
    const error = await memberSocket.next(errorFor(clientId), 'MESSAGE_BLOCKED');
    expect(error.code).toBe('MESSAGE_BLOCKED');
    expect(error.message).toContain('No spam words here.');
    // Nothing reached the room.
    const history = (await api(t, 'GET', `/rooms/${roomId}/messages`, owner.accessToken)).json();
    expect(history.messages.some((m: { body: string }) => m.body.includes('W0RD'))).toBe(false);
    const audit = (await api(t, 'GET', '/moderation/audit?action=automod.block', moderator.accessToken)).json();
    expect(audit.entries[0]).toMatchObject({ action: 'automod.block', actor: null });
  });

  it('exempts roles the rule names', async () => {
    const moderator = await signUp(t, 'moderator');
    const { roomId, ownerSocket } = await roomWithMember();
    await createRule(moderator.accessToken, ruleBody({ roomId, exemptRoomRoles: ['owner'] }));
    const ack = await sendMessage(ownerSocket, roomId, 'spamword is fine for owners');
    expect(ack.seq).toBeGreaterThan(0);
  });

  it('refuses edits that break a rule', async () => {
    const moderator = await signUp(t, 'moderator');
    const { roomId, memberSocket } = await roomWithMember();
    const ack = await sendMessage(memberSocket, roomId, 'innocent');
    await createRule(moderator.accessToken, ruleBody({ roomId }));
    memberSocket.send({ type: 'edit', messageId: ack.messageId, body: 'now spamword', ref: 'e1' });
    const error = await memberSocket.next(
      (f): f is ServerFrameOf<'error'> => f.type === 'error' && f.ref === 'e1',
      'edit refused',
    );
    expect(error.code).toBe('MESSAGE_BLOCKED');
  });

  it('holds a message: only its author hears of it, others see it once approved', async () => {
    const moderator = await signUp(t, 'moderator');
    const { roomId, memberSocket, ownerSocket } = await roomWithMember();
    await createRule(moderator.accessToken, ruleBody({ roomId, action: 'hold', reason: 'Waiting for a moderator.' }));
    const clientId = randomUUID();
    memberSocket.send({ type: 'send', roomId, clientId, body: 'a spamword message' });
    const held = await memberSocket.next(
      (f): f is ServerFrameOf<'moderation'> => f.type === 'moderation' && f.kind === 'held',
      'held notice',
    );
    expect(held).toMatchObject({ clientId, roomId, reason: 'Waiting for a moderator.' });
    expect(memberSocket.frames.some((f) => f.type === 'ack' && f.clientId === clientId)).toBe(false);

    const queue = (await api(t, 'GET', '/moderation/reports', moderator.accessToken)).json<ReportPage>();
    const item = queue.reports.find(
      (r) => r.target.type === 'message' && r.target.visibility === 'held' && r.target.message.clientId === clientId,
    );
    expect(item).toMatchObject({ source: 'automod' });
    expect(item!.hits[0]).toMatchObject({ action: 'hold' });
    // Nothing in the room yet.
    expect(
      ownerSocket.frames.some(
        (f) => f.type === 'event' && f.kind === 'message.created' && f.data.message.clientId === clientId,
      ),
    ).toBe(false);

    const heldId = item!.target.type === 'message' ? item!.target.message.id : '';
    const result = await actOk(t, moderator.accessToken, { action: 'approve', messageId: heldId, reportId: item!.id });
    expect(result.report?.state).toBe('resolved');
    const event = await ownerSocket.next(
      (f) => f.type === 'event' && f.kind === 'message.created' && f.data.message.clientId === clientId,
      'approved message',
    );
    expect(event).toBeTruthy();
    expect(
      await memberSocket.next(
        (f): f is ServerFrameOf<'moderation'> =>
          f.type === 'moderation' && f.kind === 'approved' && f.clientId === clientId,
        'approved notice',
      ),
    ).toBeTruthy();
    const audit = await auditOf(t, moderator.accessToken, heldId);
    expect(audit[0]).toMatchObject({ action: 'approve', actor: { id: moderator.user.id } });
  });

  it('rejects a held message: the author is told, nobody else ever sees it', async () => {
    const moderator = await signUp(t, 'moderator');
    const { roomId, owner, memberSocket } = await roomWithMember();
    await createRule(moderator.accessToken, ruleBody({ roomId, action: 'hold' }));
    const clientId = randomUUID();
    memberSocket.send({ type: 'send', roomId, clientId, body: 'spamword again' });
    await memberSocket.next((f) => f.type === 'moderation' && f.kind === 'held', 'held');
    const queue = (await api(t, 'GET', '/moderation/reports?limit=100', moderator.accessToken)).json<ReportPage>();
    const item = queue.reports.find((r) => r.target.type === 'message' && r.target.message.clientId === clientId)!;
    const heldId = item.target.type === 'message' ? item.target.message.id : '';
    await actOk(t, moderator.accessToken, { action: 'reject', messageId: heldId });
    await memberSocket.next(
      (f) => f.type === 'moderation' && f.kind === 'rejected' && f.clientId === clientId,
      'rejected',
    );
    const history = (await api(t, 'GET', `/rooms/${roomId}/messages`, owner.accessToken)).json();
    expect(history.messages.some((m: { clientId: string }) => m.clientId === clientId)).toBe(false);
  });

  it('flags: the message is delivered and queued for moderators', async () => {
    const moderator = await signUp(t, 'moderator');
    const { roomId, memberSocket } = await roomWithMember();
    await createRule(moderator.accessToken, ruleBody({ roomId, action: 'flag' }));
    const ack = await sendMessage(memberSocket, roomId, 'flag this spamword');
    const queue = (await api(t, 'GET', '/moderation/reports?limit=100', moderator.accessToken)).json<ReportPage>();
    const item = queue.reports.find((r) => r.target.type === 'message' && r.target.message.id === ack.messageId);
    expect(item).toMatchObject({ source: 'automod', target: { visibility: 'visible' } });
  });

  it('times out: MUTED with the end time, a timeout notice, then every send refused', async () => {
    const moderator = await signUp(t, 'moderator');
    const { roomId, member, memberSocket } = await roomWithMember();
    await createRule(moderator.accessToken, ruleBody({ roomId, action: 'timeout', timeoutSeconds: 600 }));
    const clientId = randomUUID();
    memberSocket.send({ type: 'send', roomId, clientId, body: 'spamword' });
    const error = await memberSocket.next(errorFor(clientId), 'MUTED');
    expect(error.code).toBe('MUTED');
    const notice = await memberSocket.next(
      (f): f is ServerFrameOf<'moderation'> => f.type === 'moderation' && f.kind === 'timeout',
      'timeout notice',
    );
    expect(error.message).toContain(notice.until!);
    const next = randomUUID();
    memberSocket.send({ type: 'send', roomId, clientId: next, body: 'harmless' });
    expect((await memberSocket.next(errorFor(next), 'still muted')).code).toBe('MUTED');
    const audit = await auditOf(t, moderator.accessToken, member.user.id);
    expect(audit[0]).toMatchObject({ action: 'automod.timeout', actor: null });
  });

  it('bans: the sender is refused and their sockets close', async () => {
    const moderator = await signUp(t, 'moderator');
    const { roomId, memberSocket } = await roomWithMember();
    await createRule(moderator.accessToken, ruleBody({ roomId, action: 'ban' }));
    memberSocket.send({ type: 'send', roomId, clientId: randomUUID(), body: 'spamword' });
    expect(await memberSocket.closed()).toBe(4004);
    expect(memberSocket.frames.some((f) => f.type === 'moderation' && f.kind === 'ban')).toBe(true);
  });

  it('slow mode through the action, for room owners too', async () => {
    const { roomId, owner, memberSocket } = await roomWithMember();
    await actOk(t, owner.accessToken, { action: 'slow_mode', roomId, intervalSeconds: 3600 });
    await sendMessage(memberSocket, roomId, 'first');
    const clientId = randomUUID();
    memberSocket.send({ type: 'send', roomId, clientId, body: 'second' });
    expect((await memberSocket.next(errorFor(clientId), 'slow mode')).code).toBe('MESSAGE_BLOCKED');
    await actOk(t, owner.accessToken, { action: 'slow_mode', roomId, intervalSeconds: 0 });
    await sendMessage(memberSocket, roomId, 'third');
  });
});

describe('rule changes', () => {
  it('refuses invalid rules with RULE_INVALID: backreferences, lookaround, a timeout without length', async () => {
    const moderator = await signUp(t, 'moderator');
    for (const config of [
      { kind: 'keywords', keywords: [], patterns: ['(a+)+\\1'], allow: [], preset: false },
      { kind: 'keywords', keywords: [], patterns: ['(?=a)b'], allow: [], preset: false },
      { kind: 'keywords', keywords: [], patterns: [], allow: [], preset: false },
    ] as const) {
      const response = await api(
        t,
        'POST',
        '/moderation/rules',
        moderator.accessToken,
        ruleBody({ config: { ...config, patterns: [...config.patterns], keywords: [], allow: [] } }),
      );
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.code).toBe('RULE_INVALID');
    }
    const timeout = await api(t, 'POST', '/moderation/rules', moderator.accessToken, ruleBody({ action: 'timeout' }));
    expect(timeout.json().error.code).toBe('RULE_INVALID');
  });

  it('refuses more than the keyword limit with a coded error', async () => {
    const moderator = await signUp(t, 'moderator');
    const keywords = Array.from({ length: RULE_LIMITS.maxKeywords + 1 }, (_, i) => `word${i}`);
    const response = await api(
      t,
      'POST',
      '/moderation/rules',
      moderator.accessToken,
      ruleBody({ config: { kind: 'keywords', keywords, patterns: [], allow: [], preset: false } }),
    );
    expect(response.statusCode).toBe(400);
    expect(['VALIDATION_FAILED', 'RULE_INVALID']).toContain(response.json().error.code);
  });

  it('runs a nested-quantifier pattern on a long hostile message in linear time (RE2), via the tester', async () => {
    const moderator = await signUp(t, 'moderator');
    const response = await api(t, 'POST', '/moderation/rules/test', moderator.accessToken, {
      body: `${'a'.repeat(3999)}!`,
      rule: ruleBody({ config: { kind: 'keywords', keywords: [], patterns: ['^(a+)+$'], allow: [], preset: false } }),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ action: null, hits: [] });
  });

  it('updates and deletes with audit rows holding before and after', async () => {
    const moderator = await signUp(t, 'moderator');
    const rule = await createRule(moderator.accessToken, ruleBody({ name: 'before' }));
    const updated = await api(
      t,
      'PUT',
      `/moderation/rules/${rule.id}`,
      moderator.accessToken,
      ruleBody({ name: 'after' }),
    );
    expect(updated.statusCode, updated.body).toBe(200);
    expect((await api(t, 'DELETE', `/moderation/rules/${rule.id}`, moderator.accessToken)).statusCode).toBe(204);
    const audit = await auditOf(t, moderator.accessToken, rule.id);
    expect(audit.map((e) => e.action)).toEqual(['rule.delete', 'rule.update', 'rule.create']);
    expect(audit[1]).toMatchObject({ before: { name: 'before' }, after: { name: 'after' } });
  });

  it('lets room owners manage their room’s rules only', async () => {
    const owner = await signUp(t);
    const room = await createRoom(t, owner.accessToken);
    const own = await api(t, 'POST', '/moderation/rules', owner.accessToken, ruleBody({ roomId: room.id }));
    expect(own.statusCode).toBe(201);
    const global = await api(t, 'POST', '/moderation/rules', owner.accessToken, ruleBody());
    expect(global.statusCode).toBe(403);
    const other = await createRoom(t, (await signUp(t)).accessToken);
    expect(
      (await api(t, 'POST', '/moderation/rules', owner.accessToken, ruleBody({ roomId: other.id }))).statusCode,
    ).toBe(403);
  });
});
