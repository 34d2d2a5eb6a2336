import type { Db } from '../infra/db/db.js';
import { DbListener } from '../infra/db/listener.js';
import type { Logger } from '../infra/logger.js';
import { ACCOUNT_CHANGES_CHANNEL, findEndedSessions, findRoles, parseAccountChange } from '../features/auth/index.js';
import type { ConnectedClients } from './clients.js';

/**
 * Hands every account change announced on the database (features/auth/account-changes.ts) to
 * this instance's connections. When the listening connection was lost, changes may have been missed:
 * the roles of everyone connected here are read again instead, disabled accounts closed, and
 * connections whose sign-in session ended meanwhile (a password reset) closed too.
 */
export function watchAccountChanges(deps: { db: Db; clients: ConnectedClients; logger: Logger }): DbListener {
  const { db, clients, logger } = deps;
  const resync = async (): Promise<void> => {
    const userIds = clients.userIds();
    if (userIds.length === 0) return;
    const sessionIds = clients.sessionIds();
    const [roles, ended] = await Promise.all([
      findRoles(db, userIds),
      sessionIds.length > 0 ? findEndedSessions(db, sessionIds) : [],
    ]);
    for (const { id, role, disabled } of roles)
      clients.applyAccountChange(disabled ? { kind: 'disabled', userId: id } : { kind: 'role', userId: id, role });
    clients.endSessions(ended);
  };
  return new DbListener({
    config: db.pool.options,
    channel: ACCOUNT_CHANGES_CHANNEL,
    logger,
    onNotice: (payload) => {
      const change = parseAccountChange(payload);
      if (change) clients.applyAccountChange(change);
      else logger.warn({ size: payload.length }, 'ignored an account change notice this server does not understand');
    },
    onResync: () => {
      resync().catch((error: unknown) => logger.error({ err: error }, 'could not read the roles of connected users'));
    },
  });
}
