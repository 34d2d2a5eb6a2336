/**
 * The admin mode's commands (moderators and admins): the reports queue and its context, actions
 * (queued while offline and re-checked by the server when sent), users, rules and the audit log.
 * Reads come from the server when it answers and from the SQLite cache when it does not
 * (`fromCache` says which); writes other than actions need the server.
 */
import {
  AuditQuerySchema,
  ModerationActionBodySchema,
  ModerationRuleBodySchema,
  REPORT_STATES,
  RoleSchema,
  RuleTestBodySchema,
  UserNoteBodySchema,
  UuidSchema,
  type AuditEntry,
  type AuditPage,
  type ModeratedUser,
  type ModerationActionBody,
  type ModerationActionResult,
  type ModerationRule,
  type ModerationRuleBody,
  type ModerationRuleSet,
  type ModerationUserFile,
  type Report,
  type ReportContext,
  type ReportPage,
  type RuleHit,
  type RuleTestResult,
  type User,
  type UserNote,
} from '@veza/shared';
import { Type, type Static } from 'typebox';
import { command } from './command.js';
import type { DesktopErrorCode } from './errors.js';

export type {
  AuditEntry,
  AuditPage,
  ModeratedUser,
  ModerationActionBody,
  ModerationActionResult,
  ModerationRule,
  ModerationRuleBody,
  ModerationRuleSet,
  ModerationUserFile,
  Report,
  ReportContext,
  RuleHit,
  RuleTestResult,
  UserNote,
};

export interface AdminReportPage extends ReportPage {
  fromCache: boolean;
}
export interface AdminReportContext {
  context: ReportContext;
  fromCache: boolean;
}
export interface AdminUserList {
  users: ModeratedUser[];
  fromCache: boolean;
}
export interface AdminUserFile {
  file: ModerationUserFile;
  fromCache: boolean;
}
export interface AdminRuleSet extends ModerationRuleSet {
  fromCache: boolean;
}
export interface AdminAuditPage extends AuditPage {
  fromCache: boolean;
}

/**
 * An action taken while the server could not be reached, kept in SQLite until it is sent.
 * `queued`: waiting for the connection; `failed`: the server refused it (its code and sentence).
 */
export interface PendingModerationAction {
  id: string;
  body: ModerationActionBody;
  state: 'queued' | 'failed';
  queuedAt: string;
  error: { code: DesktopErrorCode; message: string } | null;
}

/** What taking an action gave: done by the server now, or queued until the connection returns. */
export type ModerationActionOutcome =
  { status: 'applied'; result: ModerationActionResult } | { status: 'queued'; pending: PendingModerationAction };

export interface AuditCsvExport {
  /** Where core saved the file (the downloads folder). */
  path: string;
  bytes: number;
}

const AuditFilters = Type.Omit(AuditQuerySchema, ['format', 'limit']);

export const moderationCommands = {
  listModerationReports: command(
    Type.Object(
      { state: Type.Optional(Type.Enum(REPORT_STATES)), cursor: Type.Optional(Type.String({ maxLength: 200 })) },
      { additionalProperties: false },
    ),
  ).returns<AdminReportPage>(),
  getReportContext: command(
    Type.Object({ reportId: UuidSchema }, { additionalProperties: false }),
  ).returns<AdminReportContext>(),
  takeModerationAction: command(
    Type.Object({ action: ModerationActionBodySchema }, { additionalProperties: false }),
  ).returns<ModerationActionOutcome>(),
  listPendingModerationActions: command().returns<PendingModerationAction[]>(),
  /** Forgets a failed (or still queued) action. */
  discardModerationAction: command(Type.Object({ id: UuidSchema }, { additionalProperties: false })).returns<
    PendingModerationAction[]
  >(),
  searchModeratedUsers: command(
    Type.Object({ q: Type.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false }),
  ).returns<AdminUserList>(),
  getModeratedUser: command(
    Type.Object({ userId: UuidSchema }, { additionalProperties: false }),
  ).returns<AdminUserFile>(),
  addUserNote: command(
    Type.Object({ userId: UuidSchema, note: UserNoteBodySchema }, { additionalProperties: false }),
  ).returns<UserNote>(),
  changeUserRole: command(
    Type.Object({ userId: UuidSchema, role: RoleSchema }, { additionalProperties: false }),
  ).returns<User>(),
  listModerationRules: command().returns<AdminRuleSet>(),
  createModerationRule: command(
    Type.Object({ rule: ModerationRuleBodySchema }, { additionalProperties: false }),
  ).returns<ModerationRule>(),
  updateModerationRule: command(
    Type.Object({ ruleId: UuidSchema, rule: ModerationRuleBodySchema }, { additionalProperties: false }),
  ).returns<ModerationRule>(),
  deleteModerationRule: command(Type.Object({ ruleId: UuidSchema }, { additionalProperties: false })).returns<void>(),
  testModerationRule: command(RuleTestBodySchema).returns<RuleTestResult>(),
  listAudit: command(Type.Object({ filters: AuditFilters }, { additionalProperties: false })).returns<AdminAuditPage>(),
  exportAuditCsv: command(
    Type.Object({ filters: Type.Omit(AuditFilters, ['cursor']) }, { additionalProperties: false }),
  ).returns<AuditCsvExport>(),
};

/** `queue.changed`: reports changed (an action settled one); `actions.changed`: the offline queue moved. */
export type ModerationEvent =
  { type: 'moderation.queue.changed' } | { type: 'moderation.actions.changed'; pending: PendingModerationAction[] };

/** The audit log's filters as the viewer sets them (ids, action name, ISO dates). */
export type AuditFilterValues = Static<typeof AuditFilters>;
