import type { AccountRow } from '../features/auth/user-store.js';

/** `2026-12-07 15:39` in UTC: the same on every machine the table is read from. */
const utcMinute = (date: Date): string => date.toISOString().slice(0, 16).replace('T', ' ');

/** The accounts as aligned columns, for a person at a terminal. */
export function formatAccountTable(accounts: AccountRow[]): string {
  const header = ['ID', 'USERNAME', 'EMAIL', 'ROLE', 'STATUS', 'CREATED (UTC)'];
  const rows = accounts.map((account) => [
    account.id,
    account.username,
    account.email,
    account.role,
    account.disabledAt ? `disabled ${utcMinute(account.disabledAt).slice(0, 10)}` : 'active',
    utcMinute(account.createdAt),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
