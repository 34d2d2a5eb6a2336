import type { Migration } from './index.js';

export const disabledAccounts: Migration = {
  version: 4,
  name: 'disabled-accounts',
  sql: `
-- An administrator may disable an account (veza-server user disable): it can no longer sign in,
-- refresh a session or use its API keys, and everything it made stays. NULL: the account is active.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
`,
};
