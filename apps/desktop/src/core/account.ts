import path from 'node:path';
import type { User } from '@veza/shared';
import type { CoreEvent, Settings } from '../common/contract.js';
import { openCacheDatabase, type CacheDb } from './cache/database.js';
import { ChatService } from './chat/chat-service.js';
import { LibraryService } from './library/library-service.js';
import { accountDir, type SessionManager } from './session/session-manager.js';

export interface AccountOptions {
  dataDir: string;
  serverUrl: string;
  user: User;
  session: SessionManager;
  settings: () => Settings;
  localMediaBase: string;
  sqliteNativeBinding?: string;
  backoff?: { minDelayMs: number; maxDelayMs: number };
  emit(event: CoreEvent): void;
}

/** One signed-in account on one server: its cache file, its sync engine and its library. */
export interface Account {
  dir: string;
  db: CacheDb;
  chat: ChatService;
  library: LibraryService;
  downloadsDir(): string;
  start(): void;
  close(): Promise<void>;
}

export function openAccount(options: AccountOptions): Account {
  const dir = accountDir(options.dataDir, options.serverUrl, options.user.id);
  const db = openCacheDatabase(path.join(dir, 'cache.sqlite'), { nativeBinding: options.sqliteNativeBinding });
  const api = options.session.api();
  const chat = new ChatService({
    db,
    api,
    tokens: options.session,
    me: { id: options.user.id, username: options.user.username },
    emit: options.emit,
    backoff: options.backoff,
  });
  const library = new LibraryService({
    db,
    api,
    tokens: options.session,
    me: options.user,
    accountDir: dir,
    settings: options.settings,
    localMediaBase: options.localMediaBase,
    emit: options.emit,
    isOnline: () => chat.connection().status === 'online',
  });
  let closed = false;
  return {
    dir,
    db,
    chat,
    library,
    downloadsDir: () => library.downloadsDir(),
    start() {
      chat.start();
      library.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([chat.stop(), library.stop()]);
      db.close();
    },
  };
}
