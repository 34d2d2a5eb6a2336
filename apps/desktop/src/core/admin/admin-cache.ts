import type {
  AuditPage,
  ModeratedUser,
  ModerationRuleSet,
  ModerationUserFile,
  Report,
  ReportContext,
  ReportState,
} from '@veza/shared';
import type { CacheDb } from '../cache/database.js';

/** Offline, the queue shows at most this many cached reports (the oldest open first, like the server). */
const OFFLINE_QUEUE_LIMIT = 200;
const OFFLINE_SEARCH_LIMIT = 50;

/**
 * What the admin mode has seen, kept for offline reading: each value is the server's JSON as it
 * last answered, plus the columns the offline queries need. Nothing here is authoritative; the
 * next answer from the server replaces it.
 */
export class AdminCache {
  constructor(private readonly db: CacheDb) {}

  // ── reports ─────────────────────────────────────────────────────────────────

  /**
   * Keeps the reports of one page. When the page is the whole open queue (first page, no next
   * cursor), cached open reports missing from it were settled elsewhere: they leave the queue.
   */
  saveReports(reports: readonly Report[], wholeQueueOf: ReportState | null): void {
    const now = new Date().toISOString();
    const upsert = this.db.prepare(
      `INSERT INTO admin_reports (id, state, created_at, data, fetched_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, data = excluded.data, fetched_at = excluded.fetched_at`,
    );
    this.db.transaction(() => {
      if (wholeQueueOf) {
        const keep = JSON.stringify(reports.map((report) => report.id));
        this.db
          .prepare('DELETE FROM admin_reports WHERE state = ? AND id NOT IN (SELECT value FROM json_each(?))')
          .run(wholeQueueOf, keep);
      }
      for (const report of reports) upsert.run(report.id, report.state, report.createdAt, JSON.stringify(report), now);
      for (const report of reports) this.saveUser(userOfReport(report), now);
    })();
  }

  saveReport(report: Report): void {
    this.saveReports([report], null);
  }

  reports(state: ReportState): Report[] {
    const rows = this.db
      .prepare('SELECT data FROM admin_reports WHERE state = ? ORDER BY created_at, id LIMIT ?')
      .all(state, OFFLINE_QUEUE_LIMIT) as { data: string }[];
    return rows.map((row) => JSON.parse(row.data) as Report);
  }

  openCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM admin_reports WHERE state = 'open'").get() as { n: number }).n;
  }

  saveContext(reportId: string, context: ReportContext): void {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO admin_report_contexts (report_id, data, fetched_at) VALUES (?, ?, ?)
           ON CONFLICT (report_id) DO UPDATE SET data = excluded.data, fetched_at = excluded.fetched_at`,
        )
        .run(reportId, JSON.stringify(context), now);
      this.saveUserFile(context.user);
    })();
  }

  context(reportId: string): ReportContext | null {
    const row = this.db.prepare('SELECT data FROM admin_report_contexts WHERE report_id = ?').get(reportId) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as ReportContext) : null;
  }

  // ── users ───────────────────────────────────────────────────────────────────

  saveUsers(users: readonly ModeratedUser[]): void {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const user of users) this.saveUser(user, now);
    })();
  }

  saveUserFile(file: ModerationUserFile): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO admin_users (id, username, data, file, fetched_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET username = excluded.username, data = excluded.data,
           file = excluded.file, fetched_at = excluded.fetched_at`,
      )
      .run(file.user.id, file.user.username, JSON.stringify(file.user), JSON.stringify(file), now);
  }

  /** Cached users whose name starts with `q`, case-insensitively (what the server's search does). */
  searchUsers(q: string): ModeratedUser[] {
    const pattern = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.db
      .prepare(
        "SELECT data FROM admin_users WHERE username LIKE ? ESCAPE '\\' ORDER BY username COLLATE NOCASE LIMIT ?",
      )
      .all(pattern, OFFLINE_SEARCH_LIMIT) as { data: string }[];
    return rows.map((row) => JSON.parse(row.data) as ModeratedUser);
  }

  userFile(userId: string): ModerationUserFile | null {
    const row = this.db.prepare('SELECT file FROM admin_users WHERE id = ?').get(userId) as
      { file: string | null } | undefined;
    return row?.file ? (JSON.parse(row.file) as ModerationUserFile) : null;
  }

  // ── rules and audit ─────────────────────────────────────────────────────────

  saveRules(set: ModerationRuleSet): void {
    this.db
      .prepare(
        `INSERT INTO admin_rules (id, data, fetched_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, fetched_at = excluded.fetched_at`,
      )
      .run(JSON.stringify(set), new Date().toISOString());
  }

  rules(): ModerationRuleSet | null {
    const row = this.db.prepare('SELECT data FROM admin_rules WHERE id = 1').get() as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as ModerationRuleSet) : null;
  }

  saveAuditPage(queryKey: string, page: AuditPage): void {
    this.db
      .prepare(
        `INSERT INTO admin_audit_pages (query_key, data, fetched_at) VALUES (?, ?, ?)
         ON CONFLICT (query_key) DO UPDATE SET data = excluded.data, fetched_at = excluded.fetched_at`,
      )
      .run(queryKey, JSON.stringify(page), new Date().toISOString());
  }

  auditPage(queryKey: string): AuditPage | null {
    const row = this.db.prepare('SELECT data FROM admin_audit_pages WHERE query_key = ?').get(queryKey) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as AuditPage) : null;
  }

  /** A user seen in a list never erases the file already cached for them. */
  private saveUser(user: ModeratedUser | null, now: string): void {
    if (!user) return;
    this.db
      .prepare(
        `INSERT INTO admin_users (id, username, data, file, fetched_at) VALUES (?, ?, ?, NULL, ?)
         ON CONFLICT (id) DO UPDATE SET username = excluded.username, data = excluded.data, fetched_at = excluded.fetched_at`,
      )
      .run(user.id, user.username, JSON.stringify(user), now);
  }
}

function userOfReport(report: Report): ModeratedUser | null {
  switch (report.target.type) {
    case 'message':
      return report.target.author;
    case 'user':
      return report.target.user;
    case 'track':
      return report.target.owner;
  }
}
