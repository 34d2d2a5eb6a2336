import { randomUUID } from 'node:crypto';
import { ROLE_PERMISSIONS, type Role } from '@veza/shared';
import type { Db } from '../infra/db/db.js';
import type { Actor } from '../features/auth/index.js';
import type { ChatService } from '../features/chat/service.js';

/** Two public rooms with a short conversation, so the desktop app opens onto something alive. */
const DEMO_ROOMS = [
  {
    name: 'general',
    topic: 'Say hello. Everything about Veza.',
    messages: [
      ['demo-admin', 'Welcome to **Veza**! This room is public: anyone on this server can join.'],
      ['demo-artist', 'Hi all, I just uploaded five new pieces. Find them in the *Library*.'],
      ['demo-listener', 'Listening to them now. @demo-artist the second one is lovely.'],
      ['demo-admin', 'Tip: press `Ctrl+K` to search every message you have, even offline.'],
    ],
  },
  {
    name: 'new-releases',
    topic: 'Artists: tell us what you uploaded.',
    messages: [['demo-artist', 'Five demo tracks are processing now; they are ready within half a minute.']],
  },
] as const;

export async function seedDemoRooms(deps: { db: Db; chat: ChatService }): Promise<void> {
  const { rows } = await deps.db.query<{ id: string; username: string; role: Role }>(
    `SELECT id, username, role FROM users WHERE username IN ('demo-admin', 'demo-artist', 'demo-listener')`,
  );
  const actors = new Map<string, Actor>(
    rows.map((row) => [
      row.username,
      { id: row.id, username: row.username, permissions: new Set(ROLE_PERMISSIONS[row.role]) },
    ]),
  );
  const admin = actors.get('demo-admin');
  if (!admin) return;
  for (const room of DEMO_ROOMS) {
    const created = await deps.chat.createRoom(admin, { name: room.name, visibility: 'public', topic: room.topic });
    for (const actor of actors.values()) if (actor.id !== admin.id) await deps.chat.join(actor, created.id);
    for (const [author, body] of room.messages) {
      const actor = actors.get(author);
      if (actor) await deps.chat.send(actor, { roomId: created.id, clientId: randomUUID(), body });
    }
  }
}
