import { chatMigration } from './001-chat.js';
import { libraryMigration } from './002-library.js';
import { adminMigration } from './003-admin.js';
import { moderationMigration } from './004-moderation.js';
import { analyticsMigration } from './005-analytics.js';

export interface CacheMigration {
  version: number;
  name: string;
  /** Runs inside the migration's transaction. */
  sql: string;
}

/** In order; a released migration is never edited, only followed by a new one. */
export const CACHE_MIGRATIONS: readonly CacheMigration[] = [
  chatMigration,
  libraryMigration,
  adminMigration,
  moderationMigration,
  analyticsMigration,
];
