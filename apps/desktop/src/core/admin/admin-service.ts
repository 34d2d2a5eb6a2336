import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type {
  AuditPage,
  ModeratedUserList,
  ModerationActionBody,
  ModerationActionResult,
  ModerationRule,
  ModerationRuleBody,
  ModerationRuleSet,
  ModerationUserFile,
  ReportContext,
  ReportPage,
  RuleTestResult,
  User,
  UserNote,
} from '@veza/shared';
import type {
  AdminAuditPage,
  AdminReportContext,
  AdminReportPage,
  AdminRuleSet,
  AdminUserFile,
  AdminUserList,
  AuditCsvExport,
  AuditFilterValues,
  CoreEvent,
  HandlersOf,
  ModerationActionOutcome,
  moderationCommands,
  PendingModerationAction,
  Settings,
} from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';
import type { ApiClient } from '../api/api-client.js';
import type { CacheDb } from '../cache/database.js';
import { isUnreachable, ModerationActionQueue } from './action-queue.js';
import { AdminCache } from './admin-cache.js';

export type ModerationCommands = HandlersOf<typeof moderationCommands>;

export interface AdminServiceOptions {
  db: CacheDb;
  api: ApiClient;
  settings: () => Settings;
  emit(event: CoreEvent): void;
  isOnline(): boolean;
}

const API = '/api/v1';
const AUDIT_PAGE = 50;

/**
 * The admin mode's half of core for one signed-in account: reads go to the server and fall back
 * to the SQLite cache when it cannot be reached; moderation actions taken offline wait in a
 * durable queue and are replayed when the connection returns; other writes need the server.
 * The server checks every permission: this service only carries requests and keeps copies.
 */
export class AdminService implements ModerationCommands {
  private readonly cache: AdminCache;
  private readonly actions: ModerationActionQueue;
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly options: AdminServiceOptions) {
    this.cache = new AdminCache(options.db);
    this.actions = new ModerationActionQueue(
      options.db,
      (body) => this.post(body),
      (pending) => options.emit({ type: 'moderation.actions.changed', pending }),
      (result) => this.settled(result),
    );
  }

  /** The connection came back: replay what the moderator did offline. */
  onOnline(): void {
    if (!this.actions.hasQueued()) return;
    const flush = this.actions.flush();
    this.background.add(flush);
    void flush.finally(() => this.background.delete(flush));
  }

  /** Sends the queued actions now; resolves with how many the server applied (tests, the UI's "retry"). */
  flushActions(): Promise<number> {
    return this.actions.flush();
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  // ── reports ─────────────────────────────────────────────────────────────────

  async listModerationReports(args: {
    state?: 'open' | 'resolved' | 'dismissed';
    cursor?: string;
  }): Promise<AdminReportPage> {
    const state = args.state ?? 'open';
    const cached = (): ReportPage => ({
      reports: this.cache.reports(state),
      nextCursor: null,
      openCount: this.cache.openCount(),
    });
    return this.readThrough(async () => {
      const page = await this.options.api.request<ReportPage>('GET', `${API}/moderation/reports`, {
        query: { state, cursor: args.cursor },
      });
      this.cache.saveReports(page.reports, !args.cursor && page.nextCursor === null ? state : null);
      return page;
    }, cached);
  }

  async getReportContext(args: { reportId: string }): Promise<AdminReportContext> {
    const { fromCache, ...rest } = await this.readThrough(
      async () => {
        const context = await this.options.api.request<ReportContext>(
          'GET',
          `${API}/moderation/reports/${args.reportId}/context`,
        );
        this.cache.saveContext(args.reportId, context);
        return { context };
      },
      () => ({ context: this.cache.context(args.reportId) ?? notCached('This report’s context') }),
    );
    return { context: rest.context, fromCache };
  }

  // ── actions ─────────────────────────────────────────────────────────────────

  /**
   * Online: the server applies it now (its refusal is thrown as is). Offline, or when the request
   * cannot reach the server: queued, and replayed in order when the connection returns.
   */
  async takeModerationAction(args: { action: ModerationActionBody }): Promise<ModerationActionOutcome> {
    // Behind earlier offline actions: keep the order the moderator acted in.
    if (this.options.isOnline() && !this.actions.hasQueued()) {
      try {
        const result = await this.post(args.action);
        this.settled(result);
        return { status: 'applied', result };
      } catch (error) {
        if (!isUnreachable(error)) throw error;
      }
    }
    const pending = this.actions.enqueue(args.action);
    if (this.options.isOnline()) this.onOnline();
    return { status: 'queued', pending };
  }

  async listPendingModerationActions(): Promise<PendingModerationAction[]> {
    return this.actions.list();
  }

  async discardModerationAction(args: { id: string }): Promise<PendingModerationAction[]> {
    return this.actions.discard(args.id);
  }

  // ── users ───────────────────────────────────────────────────────────────────

  async searchModeratedUsers(args: { q: string }): Promise<AdminUserList> {
    const q = args.q.trim();
    if (q === '') return { users: [], fromCache: !this.options.isOnline() };
    const { fromCache, users } = await this.readThrough(
      async () => {
        const list = await this.options.api.request<ModeratedUserList>('GET', `${API}/moderation/users`, {
          query: { q },
        });
        this.cache.saveUsers(list.users);
        return list;
      },
      () => ({ users: this.cache.searchUsers(q) }),
    );
    return { users, fromCache };
  }

  async getModeratedUser(args: { userId: string }): Promise<AdminUserFile> {
    const { fromCache, file } = await this.readThrough(
      async () => {
        const file = await this.options.api.request<ModerationUserFile>(
          'GET',
          `${API}/moderation/users/${args.userId}`,
        );
        this.cache.saveUserFile(file);
        return { file };
      },
      () => ({ file: this.cache.userFile(args.userId) ?? notCached('This user') }),
    );
    return { file, fromCache };
  }

  async addUserNote(args: { userId: string; note: { body: string } }): Promise<UserNote> {
    return online('Adding a note', () =>
      this.options.api.request<UserNote>('POST', `${API}/moderation/users/${args.userId}/notes`, { body: args.note }),
    );
  }

  async changeUserRole(args: { userId: string; role: User['role'] }): Promise<User> {
    return online('Changing a role', () =>
      this.options.api.request<User>('PATCH', `${API}/admin/users/${args.userId}`, { body: { role: args.role } }),
    );
  }

  // ── rules ───────────────────────────────────────────────────────────────────

  async listModerationRules(): Promise<AdminRuleSet> {
    return this.readThrough(
      async () => {
        const set = await this.options.api.request<ModerationRuleSet>('GET', `${API}/moderation/rules`);
        this.cache.saveRules(set);
        return set;
      },
      () => this.cache.rules() ?? notCached('The rules'),
    );
  }

  async createModerationRule(args: { rule: ModerationRuleBody }): Promise<ModerationRule> {
    return online('Saving a rule', () =>
      this.options.api.request<ModerationRule>('POST', `${API}/moderation/rules`, { body: args.rule }),
    );
  }

  async updateModerationRule(args: Parameters<ModerationCommands['updateModerationRule']>[0]): Promise<ModerationRule> {
    return online('Saving a rule', () =>
      this.options.api.request<ModerationRule>('PUT', `${API}/moderation/rules/${args.ruleId}`, { body: args.rule }),
    );
  }

  async deleteModerationRule(args: { ruleId: string }): Promise<void> {
    await online('Deleting a rule', () =>
      this.options.api.request<void>('DELETE', `${API}/moderation/rules/${args.ruleId}`),
    );
  }

  async testModerationRule(args: Parameters<ModerationCommands['testModerationRule']>[0]): Promise<RuleTestResult> {
    return online('Testing on the server', () =>
      this.options.api.request<RuleTestResult>('POST', `${API}/moderation/rules/test`, { body: args }),
    );
  }

  // ── audit ───────────────────────────────────────────────────────────────────

  async listAudit(args: { filters: AuditFilterValues }): Promise<AdminAuditPage> {
    const key = auditKey(args.filters);
    return this.readThrough(
      async () => {
        const page = await this.options.api.request<AuditPage>('GET', `${API}/moderation/audit`, {
          query: { ...args.filters, limit: AUDIT_PAGE },
        });
        this.cache.saveAuditPage(key, page);
        return page;
      },
      () => this.cache.auditPage(key) ?? notCached('This page of the audit log'),
    );
  }

  /** Saves the filtered audit log as CSV in the downloads folder (the renderer never writes files). */
  async exportAuditCsv(args: { filters: Omit<AuditFilterValues, 'cursor'> }): Promise<AuditCsvExport> {
    const csv = await online('Exporting the audit log', () =>
      this.options.api.requestText(`${API}/moderation/audit`, 'text/csv', {
        query: { ...args.filters, format: 'csv' },
      }),
    );
    const dir = this.options.settings().downloadsDir;
    await mkdir(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(dir, `veza-audit-${stamp}.csv`);
    await writeFile(file, csv, { encoding: 'utf8', mode: 0o600 });
    return { path: file, bytes: Buffer.byteLength(csv) };
  }

  // ── helpers ─────────────────────────────────────────────────────────────────

  private post(body: ModerationActionBody): Promise<ModerationActionResult> {
    return this.options.api.request<ModerationActionResult>('POST', `${API}/moderation/actions`, { body });
  }

  /** The server settled an action: its report (if any) is cached in its new state, the queue view refreshes. */
  private settled(result: ModerationActionResult): void {
    if (result.report) this.cache.saveReport(result.report);
    this.options.emit({ type: 'moderation.queue.changed' });
  }

  private async readThrough<T extends object>(
    network: () => Promise<T>,
    cache: () => T,
  ): Promise<T & { fromCache: boolean }> {
    if (!this.options.isOnline()) return { ...cache(), fromCache: true };
    try {
      return { ...(await network()), fromCache: false };
    } catch (error) {
      if (isUnreachable(error)) return { ...cache(), fromCache: true };
      throw error;
    }
  }
}

/** Filters in a fixed order, so the same query finds the same cached page. */
function auditKey(filters: AuditFilterValues): string {
  const keys = ['actorId', 'targetId', 'action', 'from', 'to', 'cursor'] as const;
  return JSON.stringify(keys.map((key) => filters[key] ?? null));
}

async function online<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (isUnreachable(error)) {
      throw new DesktopError(
        'OFFLINE',
        `${what} needs a connection to the server. Try again when you are back online.`,
      );
    }
    throw error;
  }
}

function notCached(what: string): never {
  throw new DesktopError(
    'NOT_AVAILABLE_OFFLINE',
    `${what} has not been opened on this device yet, so it is not available offline.`,
  );
}
