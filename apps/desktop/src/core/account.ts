import path from 'node:path';
import type { User } from '@veza/shared';
import type { CoreEvent, Settings } from '../common/contract.js';
import { AnalyticsService } from './analytics/analytics-service.js';
import { openCacheDatabase, type CacheDb } from './cache/database.js';
import { WebSocket } from 'ws';
import { AdminService } from './admin/admin-service.js';
import { ChatService } from './chat/chat-service.js';
import { LibraryService } from './library/library-service.js';
import { ModerationService } from './moderation/moderation-service.js';
import { accountDir, type SessionManager } from './session/session-manager.js';
import { DEFAULT_BACKOFF } from './sync/backoff.js';
import { stderrLogger } from './sync/logger.js';
import { SyncConnection } from './sync/sync-connection.js';

export interface AccountOptions {
  dataDir: string;
  serverUrl: string;
  user: User;
  session: SessionManager;
  settings: () => Settings;
  localMediaBase: string;
  /** Where CSV exports are written. */
  exportsDir: string;
  sqliteNativeBinding?: string;
  backoff?: { minDelayMs: number; maxDelayMs: number };
  emit(event: CoreEvent): void;
}

/**
 * One signed-in account on one server: its cache file, its one sync connection, and the domain
 * services (chat, library, analytics) that share it.
 */
export interface Account {
  dir: string;
  db: CacheDb;
  connection: SyncConnection;
  chat: ChatService;
  library: LibraryService;
  moderation: ModerationService;
  admin: AdminService;
  analytics: AnalyticsService;
  downloadsDir(): string;
  start(): void;
  close(): Promise<void>;
}

export function openAccount(options: AccountOptions): Account {
  const dir = accountDir(options.dataDir, options.serverUrl, options.user.id);
  const db = openCacheDatabase(path.join(dir, 'cache.sqlite'), { nativeBinding: options.sqliteNativeBinding });
  const api = options.session.api();
  const connection = new SyncConnection({
    url: api.webSocketUrl(),
    tokens: options.session,
    meId: options.user.id,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    // `ws` sends no Origin header: the server admits it as a native client.
    factory: (url) => new WebSocket(url),
    log: stderrLogger,
  });
  const moderation = new ModerationService({ db, api, connection, log: stderrLogger, emit: options.emit });
  const chat = new ChatService({
    db,
    api,
    connection,
    me: { id: options.user.id, username: options.user.username },
    emit: options.emit,
    mutes: moderation.mutes,
  });
  moderation.attachChat(chat);
  const library = new LibraryService({
    db,
    api,
    tokens: options.session,
    me: options.user,
    accountDir: dir,
    settings: options.settings,
    localMediaBase: options.localMediaBase,
    emit: options.emit,
    isOnline: () => connection.isOnline(),
  });
  const analytics = new AnalyticsService({
    db,
    api,
    exportsDir: () => options.exportsDir,
    isOnline: () => connection.isOnline(),
  });
  const admin = new AdminService({
    db,
    api,
    settings: options.settings,
    emit: options.emit,
    isOnline: () => connection.isOnline(),
  });
  connection.register(chat.sync);
  connection.register(library.sync);
  connection.register(moderation.sync);
  connection.onStateChange((state) => {
    options.emit({ type: 'connection.changed', connection: state });
    library.onConnectionChange(state);
    if (state.status === 'online') admin.onOnline();
  });
  let closed = false;
  return {
    dir,
    db,
    connection,
    chat,
    library,
    moderation,
    admin,
    analytics,
    downloadsDir: () => library.downloadsDir(),
    start() {
      chat.start();
      moderation.start();
      connection.start();
      library.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      connection.stop();
      moderation.stop();
      await Promise.allSettled([chat.stop(), library.stop(), admin.stop()]);
      db.close();
    },
  };
}
