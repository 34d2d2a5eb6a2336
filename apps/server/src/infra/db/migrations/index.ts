import { accounts } from './0001-accounts.js';
import { chat } from './0002-chat.js';
import { media } from './0003-media.js';
import { disabledAccounts } from './0004-disabled-accounts.js';
import { moderation } from './0005-moderation.js';
import { analytics } from './0006-analytics.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: never edit a migration that has shipped; add the next number instead. */
export const MIGRATIONS: readonly Migration[] = [accounts, chat, media, disabledAccounts, moderation, analytics];
