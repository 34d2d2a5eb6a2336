import { randomUUID } from 'node:crypto';
import type { ModeratedUserList, ModerationUserFile, UserNote } from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import type { Db } from '../../infra/db/db.js';
import { notFound } from '../../infra/errors.js';
import type { Actor } from '../auth/index.js';
import type { ChatService } from '../chat/index.js';
import type { AuditLog } from './audit.js';
import { listAuditAbout } from './audit-store.js';
import { listRoomBansOf } from './sanctions-store.js';
import * as store from './users-store.js';

/** What moderators read about a user: search, the user's file, and their notes. */
export class UserFiles {
  constructor(private readonly deps: { db: Db; clock: Clock; chat: ChatService; audit: AuditLog }) {}

  async search(q: string, limit: number): Promise<ModeratedUserList> {
    return { users: await store.searchModeratedUsers(this.deps.db, q, limit, this.deps.clock.now()) };
  }

  readonly file = async (userId: string): Promise<ModerationUserFile> => {
    const { db, clock, chat } = this.deps;
    const now = clock.now();
    const user = await store.findModeratedUser(db, userId, now);
    if (!user) throw notFound('No such user.');
    const [recentMessages, actions, roomBans, reportsAgainst, notes, sessions] = await Promise.all([
      chat.recentMessagesOf(userId, 20),
      listAuditAbout(db, userId, 50),
      listRoomBansOf(db, userId, now),
      store.countReportsAgainst(db, userId),
      store.listNotes(db, userId),
      store.listLiveSessions(db, userId),
    ]);
    return { user, recentMessages, actions, roomBans, reportsAgainst, notes, sessions };
  };

  async addNote(actor: Actor, userId: string, body: string): Promise<UserNote> {
    const { db, clock } = this.deps;
    const user = await store.findUserBrief(db, userId);
    if (!user) throw notFound('No such user.');
    return store.insertNote(db, {
      id: randomUUID(),
      userId,
      author: { id: actor.id, username: actor.username },
      body: body.trim(),
      now: clock.now(),
    });
  }
}
