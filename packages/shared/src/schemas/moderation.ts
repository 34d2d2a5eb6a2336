import { Type, type Static } from 'typebox';
import { ROLES } from '../roles.js';
import { MessageSchema, ROOM_ROLES } from './chat.js';
import { NON_BLANK_TEXT, STORABLE_TEXT, TimestampSchema, UuidSchema } from './common.js';

/*
 * Moderation's API: automatic rules (mirrored to clients so the composer can warn before
 * sending), reports, the moderators' queue and actions, and the audit log. The server is the
 * authority: a client's evaluation of the rules is advice only.
 */

// ── rules ───────────────────────────────────────────────────────────────────────

/** Limits on one rule (Discord AutoMod's shapes); the server refuses more with RULE_INVALID. */
export const RULE_LIMITS = {
  maxRules: 200,
  maxKeywords: 1000,
  maxKeywordLength: 60,
  maxPatterns: 10,
  maxPatternLength: 260,
  maxAllowed: 100,
  maxDomains: 100,
  maxTimeoutSeconds: 28 * 24 * 3600,
} as const;

export const RULE_KINDS = [
  /** Words and phrases, obfuscation included (leet, look-alikes, spacing, zero-width, repeats), plus regexes. */
  'keywords',
  /** Links: all refused, or only those outside an allow-list of domains. */
  'links',
  /** Too many distinct mentions in one message. */
  'mention_spam',
  /** Shouting: too large a share of capital letters in a long enough message. */
  'caps',
  /** The same message sent again and again by one author. */
  'repeats',
  /** Too many messages by one author in a window. */
  'flood',
  /** One message per interval per author in a room. */
  'slow_mode',
  /** Accounts younger than a minimum age. */
  'new_account',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** What a rule does when it fires, weakest first. The strongest action among the rules that fire wins. */
export const RULE_ACTIONS = ['flag', 'hold', 'block', 'timeout', 'ban'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

const KeywordSchema = Type.String({ minLength: 1, maxLength: RULE_LIMITS.maxKeywordLength, pattern: NON_BLANK_TEXT });
const DomainSchema = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern:
    '^(\\*\\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$',
});

export const KeywordsConfigSchema = Type.Object(
  {
    kind: Type.Literal('keywords'),
    /** Whole words or phrases; `*` at either end matches a prefix or suffix ("spam*"). */
    keywords: Type.Array(KeywordSchema, { maxItems: RULE_LIMITS.maxKeywords }),
    /** Regular expressions, run by a linear-time engine (RE2 syntax: no backreferences or lookaround). */
    patterns: Type.Array(
      Type.String({ minLength: 1, maxLength: RULE_LIMITS.maxPatternLength, pattern: STORABLE_TEXT }),
      {
        maxItems: RULE_LIMITS.maxPatterns,
      },
    ),
    /** Words never matched even when a keyword or the preset would ("scunthorpe"). */
    allow: Type.Array(KeywordSchema, { maxItems: RULE_LIMITS.maxAllowed }),
    /** Adds the bundled English profanity list. */
    preset: Type.Boolean(),
  },
  { additionalProperties: false },
);
export const LinksConfigSchema = Type.Object(
  {
    kind: Type.Literal('links'),
    /** `block_all`: any link fires; `allow_list`: links to domains outside `allowDomains` fire. */
    mode: Type.Enum(['block_all', 'allow_list']),
    /** `example.com` matches itself; `*.example.com` matches its subdomains too. */
    allowDomains: Type.Array(DomainSchema, { maxItems: RULE_LIMITS.maxDomains }),
  },
  { additionalProperties: false },
);
export const MentionSpamConfigSchema = Type.Object(
  { kind: Type.Literal('mention_spam'), maxMentions: Type.Integer({ minimum: 1, maximum: 50 }) },
  { additionalProperties: false },
);
export const CapsConfigSchema = Type.Object(
  {
    kind: Type.Literal('caps'),
    /** Share of capital letters among letters above which the rule fires, e.g. 0.7. */
    maxRatio: Type.Number({ minimum: 0.3, maximum: 1 }),
    /** Messages with fewer letters than this never fire ("OK", "LOL"). */
    minLetters: Type.Integer({ minimum: 1, maximum: 200 }),
  },
  { additionalProperties: false },
);
export const RepeatsConfigSchema = Type.Object(
  {
    kind: Type.Literal('repeats'),
    /** Identical messages (after normalisation) allowed in the window; one more fires. */
    maxRepeats: Type.Integer({ minimum: 1, maximum: 20 }),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  },
  { additionalProperties: false },
);
export const FloodConfigSchema = Type.Object(
  {
    kind: Type.Literal('flood'),
    maxMessages: Type.Integer({ minimum: 1, maximum: 100 }),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 600 }),
  },
  { additionalProperties: false },
);
export const SlowModeConfigSchema = Type.Object(
  { kind: Type.Literal('slow_mode'), intervalSeconds: Type.Integer({ minimum: 1, maximum: 6 * 3600 }) },
  { additionalProperties: false },
);
export const NewAccountConfigSchema = Type.Object(
  {
    kind: Type.Literal('new_account'),
    minAgeMinutes: Type.Integer({ minimum: 1, maximum: 30 * 24 * 60 }),
    /** Only messages with links fire (new accounts may talk, not advertise). */
    linksOnly: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const RuleConfigSchema = Type.Union([
  KeywordsConfigSchema,
  LinksConfigSchema,
  MentionSpamConfigSchema,
  CapsConfigSchema,
  RepeatsConfigSchema,
  FloodConfigSchema,
  SlowModeConfigSchema,
  NewAccountConfigSchema,
]);
export type RuleConfig = Static<typeof RuleConfigSchema>;
export type RuleConfigOf<K extends RuleKind> = Extract<RuleConfig, { kind: K }>;

const RuleFieldsSchema = {
  name: Type.String({ minLength: 1, maxLength: 100, pattern: NON_BLANK_TEXT }),
  enabled: Type.Boolean(),
  /** null: every room; otherwise one room (room owners and moderators manage their room's rules). */
  roomId: Type.Union([UuidSchema, Type.Null()]),
  config: RuleConfigSchema,
  action: Type.Enum(RULE_ACTIONS),
  /** Required when action is `timeout`: how long the author is muted. */
  timeoutSeconds: Type.Union([Type.Integer({ minimum: 60, maximum: RULE_LIMITS.maxTimeoutSeconds }), Type.Null()]),
  /** Shown to the sender when the rule blocks, holds or mutes ("No links to other servers here."). */
  reason: Type.String({ minLength: 1, maxLength: 200, pattern: NON_BLANK_TEXT }),
  /** Global roles the rule never applies to. */
  exemptRoles: Type.Array(Type.Enum(ROLES), { maxItems: ROLES.length, uniqueItems: true }),
  /** Room roles the rule never applies to (in the room the message is sent to). */
  exemptRoomRoles: Type.Array(Type.Enum(ROOM_ROLES), { maxItems: ROOM_ROLES.length, uniqueItems: true }),
};

export const ModerationRuleBodySchema = Type.Object(RuleFieldsSchema, { additionalProperties: false });
export type ModerationRuleBody = Static<typeof ModerationRuleBodySchema>;

export const ModerationRuleSchema = Type.Object({
  id: UuidSchema,
  ...RuleFieldsSchema,
  createdBy: UuidSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type ModerationRule = Static<typeof ModerationRuleSchema>;

/** Every rule, with a version that changes whenever one does (clients cache by it). */
export const ModerationRuleSetSchema = Type.Object({
  version: Type.Integer({ minimum: 0 }),
  rules: Type.Array(ModerationRuleSchema),
});
export type ModerationRuleSet = Static<typeof ModerationRuleSetSchema>;

/** One rule that fired on a message, and why (for the sender, the composer and the rule tester). */
export const RuleHitSchema = Type.Object({
  ruleId: UuidSchema,
  ruleName: Type.String(),
  kind: Type.Enum(RULE_KINDS),
  action: Type.Enum(RULE_ACTIONS),
  timeoutSeconds: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.String(),
  /** For people: what matched ("“sh1t” matched the keyword “shit”", "5 mentions, at most 3"). */
  detail: Type.String(),
  /** Where in the message, in UTF-16 code units, when the rule matched text. */
  span: Type.Union([
    Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) }),
    Type.Null(),
  ]),
});
export type RuleHit = Static<typeof RuleHitSchema>;

/** POST /moderation/rules/test: a message tried against rules without sending it. */
export const RuleTestBodySchema = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: 4000, pattern: STORABLE_TEXT }),
    /** A draft rule to try instead of the saved ones. */
    rule: Type.Optional(ModerationRuleBodySchema),
    roomId: Type.Optional(UuidSchema),
  },
  { additionalProperties: false },
);
export const RuleTestResultSchema = Type.Object({
  hits: Type.Array(RuleHitSchema),
  /** The action the server would take: the strongest hit's, or null when none fire. */
  action: Type.Union([Type.Enum(RULE_ACTIONS), Type.Null()]),
  evaluationMicros: Type.Number({ minimum: 0 }),
});
export type RuleTestResult = Static<typeof RuleTestResultSchema>;

// ── reports ─────────────────────────────────────────────────────────────────────

export const REPORT_REASONS = [
  'spam',
  'harassment',
  'hate',
  'sexual',
  'violence',
  'self_harm',
  'illegal',
  'other',
] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export const ReportTargetSchema = Type.Union([
  Type.Object({ type: Type.Literal('message'), messageId: UuidSchema }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('user'), userId: UuidSchema }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('track'), trackId: UuidSchema }, { additionalProperties: false }),
]);
export type ReportTarget = Static<typeof ReportTargetSchema>;

export const ReportCreateBodySchema = Type.Object(
  {
    target: ReportTargetSchema,
    reason: Type.Enum(REPORT_REASONS),
    details: Type.Optional(Type.String({ maxLength: 1000, pattern: STORABLE_TEXT })),
  },
  { additionalProperties: false },
);
export type ReportCreateBody = Static<typeof ReportCreateBodySchema>;

/** What a reporter gets back: enough to show "reported", nothing about the queue. */
export const ReportReceiptSchema = Type.Object({ id: UuidSchema, createdAt: TimestampSchema });
export type ReportReceipt = Static<typeof ReportReceiptSchema>;

export const REPORT_STATES = ['open', 'resolved', 'dismissed'] as const;
export type ReportState = (typeof REPORT_STATES)[number];

/** A user as moderators see them. */
export const ModeratedUserSchema = Type.Object({
  id: UuidSchema,
  username: Type.String(),
  role: Type.Enum(ROLES),
  createdAt: TimestampSchema,
  bannedUntil: Type.Union([TimestampSchema, Type.Null()]),
  mutedUntil: Type.Union([TimestampSchema, Type.Null()]),
});
export type ModeratedUser = Static<typeof ModeratedUserSchema>;

/**
 * One item of the queue. `source` is `user` for reports people made, `automod` for messages a
 * rule flagged or held; reports of the same target while open are grouped (`reportCount`).
 */
export const ReportSchema = Type.Object({
  id: UuidSchema,
  source: Type.Enum(['user', 'automod']),
  state: Type.Enum(REPORT_STATES),
  reason: Type.Enum(REPORT_REASONS),
  details: Type.Union([Type.String(), Type.Null()]),
  /** Null for automod. */
  reporter: Type.Union([Type.Object({ id: UuidSchema, username: Type.String() }), Type.Null()]),
  reportCount: Type.Integer({ minimum: 1 }),
  /** The rule hits behind an automod item. */
  hits: Type.Array(RuleHitSchema),
  target: Type.Union([
    Type.Object({
      type: Type.Literal('message'),
      /** `held`: waiting for approval, seen only by its author. */
      visibility: Type.Enum(['visible', 'held', 'deleted']),
      message: MessageSchema,
      roomName: Type.String(),
      author: ModeratedUserSchema,
    }),
    Type.Object({ type: Type.Literal('user'), user: ModeratedUserSchema }),
    Type.Object({
      type: Type.Literal('track'),
      trackId: UuidSchema,
      title: Type.String(),
      owner: ModeratedUserSchema,
    }),
  ]),
  createdAt: TimestampSchema,
  resolvedAt: Type.Union([TimestampSchema, Type.Null()]),
  resolvedBy: Type.Union([UuidSchema, Type.Null()]),
  resolution: Type.Union([Type.String(), Type.Null()]),
});
export type Report = Static<typeof ReportSchema>;

export const ReportPageSchema = Type.Object({
  reports: Type.Array(ReportSchema),
  /** Opaque; absent on the last page. */
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  openCount: Type.Integer({ minimum: 0 }),
});
export type ReportPage = Static<typeof ReportPageSchema>;

// ── actions ─────────────────────────────────────────────────────────────────────

export const MODERATION_ACTIONS = [
  'dismiss',
  'delete',
  'warn',
  'timeout',
  'room_ban',
  'ban',
  'unban',
  'approve',
  'reject',
  'slow_mode',
] as const;
export type ModerationActionKind = (typeof MODERATION_ACTIONS)[number];

const Reason = Type.String({ minLength: 1, maxLength: 500, pattern: NON_BLANK_TEXT });
const OptionalReason = Type.Optional(Reason);
/** The report the action settles, if any: it is resolved (dismissed for `dismiss`) with the action. */
const ReportRef = Type.Optional(UuidSchema);
/** Absent: until lifted. */
const Duration = Type.Optional(Type.Integer({ minimum: 60, maximum: 10 * 365 * 24 * 3600 }));

/**
 * POST /moderation/actions. Each is checked on the server: the actor's permission (global
 * moderators, or the room's owner or moderators for room-scoped actions), and rank (nobody acts
 * on themselves, on an admin, or on a peer of equal or higher rank).
 */
export const ModerationActionBodySchema = Type.Union([
  Type.Object(
    { action: Type.Literal('dismiss'), reportId: UuidSchema, reason: OptionalReason },
    { additionalProperties: false },
  ),
  Type.Object(
    { action: Type.Literal('delete'), messageId: UuidSchema, reason: OptionalReason, reportId: ReportRef },
    { additionalProperties: false },
  ),
  Type.Object(
    { action: Type.Literal('warn'), userId: UuidSchema, reason: Reason, reportId: ReportRef },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      action: Type.Literal('timeout'),
      userId: UuidSchema,
      durationSeconds: Type.Integer({ minimum: 60, maximum: RULE_LIMITS.maxTimeoutSeconds }),
      /** Present: muted in that room only (room owners and moderators may only do this). */
      roomId: Type.Optional(UuidSchema),
      reason: Reason,
      reportId: ReportRef,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      action: Type.Literal('room_ban'),
      userId: UuidSchema,
      roomId: UuidSchema,
      durationSeconds: Duration,
      reason: Reason,
      reportId: ReportRef,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      action: Type.Literal('ban'),
      userId: UuidSchema,
      durationSeconds: Duration,
      /** Also turn the user's past messages into tombstones everywhere. */
      hideMessages: Type.Optional(Type.Boolean()),
      reason: Reason,
      reportId: ReportRef,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      action: Type.Literal('unban'),
      userId: UuidSchema,
      /** Present: lift a room ban; absent: lift the server ban and any timeout. */
      roomId: Type.Optional(UuidSchema),
      reason: OptionalReason,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { action: Type.Literal('approve'), messageId: UuidSchema, reason: OptionalReason, reportId: ReportRef },
    { additionalProperties: false },
  ),
  Type.Object(
    { action: Type.Literal('reject'), messageId: UuidSchema, reason: OptionalReason, reportId: ReportRef },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      action: Type.Literal('slow_mode'),
      roomId: UuidSchema,
      /** 0 turns slow mode off. */
      intervalSeconds: Type.Integer({ minimum: 0, maximum: 6 * 3600 }),
      reason: OptionalReason,
    },
    { additionalProperties: false },
  ),
]);
export type ModerationActionBody = Static<typeof ModerationActionBodySchema>;

// ── audit ───────────────────────────────────────────────────────────────────────

/** Every moderation and admin action, append-only. `action` is a moderation action or an admin one. */
export const AuditEntrySchema = Type.Object({
  id: UuidSchema,
  /** e.g. `ban`, `timeout`, `rule.create`, `rule.update`, `rule.delete`, `role.change`, `automod.block`. */
  action: Type.String(),
  /** Null for automatic moderation. */
  actor: Type.Union([Type.Object({ id: UuidSchema, username: Type.String() }), Type.Null()]),
  target: Type.Object({
    type: Type.Enum(['user', 'message', 'room', 'rule', 'report', 'track']),
    id: UuidSchema,
    /** For people: a username, a room's name, a rule's name. */
    label: Type.Union([Type.String(), Type.Null()]),
  }),
  roomId: Type.Union([UuidSchema, Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  before: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  after: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  createdAt: TimestampSchema,
});
export type AuditEntry = Static<typeof AuditEntrySchema>;

export const AuditPageSchema = Type.Object({
  entries: Type.Array(AuditEntrySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type AuditPage = Static<typeof AuditPageSchema>;

/** GET /moderation/audit query (CSV with `format=csv` or `Accept: text/csv`). */
export const AuditQuerySchema = Type.Object(
  {
    actorId: Type.Optional(UuidSchema),
    targetId: Type.Optional(UuidSchema),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z_.]+$' })),
    from: Type.Optional(TimestampSchema),
    to: Type.Optional(TimestampSchema),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    format: Type.Optional(Type.Enum(['json', 'csv'])),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuerySchema>;

// ── context and users ───────────────────────────────────────────────────────────

export const UserNoteSchema = Type.Object({
  id: UuidSchema,
  body: Type.String(),
  author: Type.Object({ id: UuidSchema, username: Type.String() }),
  createdAt: TimestampSchema,
});
export type UserNote = Static<typeof UserNoteSchema>;
export const UserNoteBodySchema = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 2000, pattern: NON_BLANK_TEXT }) },
  { additionalProperties: false },
);

/** GET /moderation/users/:id: a user's file for moderators. */
export const ModerationUserFileSchema = Type.Object({
  user: ModeratedUserSchema,
  recentMessages: Type.Array(MessageSchema),
  actions: Type.Array(AuditEntrySchema),
  roomBans: Type.Array(
    Type.Object({ roomId: UuidSchema, roomName: Type.String(), until: Type.Union([TimestampSchema, Type.Null()]) }),
  ),
  reportsAgainst: Type.Integer({ minimum: 0 }),
  notes: Type.Array(UserNoteSchema),
  sessions: Type.Array(
    Type.Object({ id: UuidSchema, createdAt: TimestampSchema, lastUsedAt: Type.Union([TimestampSchema, Type.Null()]) }),
  ),
});
export type ModerationUserFile = Static<typeof ModerationUserFileSchema>;

/** GET /moderation/reports/:id/context: what a moderator needs to decide. */
export const ReportContextSchema = Type.Object({
  /** Messages around a reported message (same room), oldest first; empty for other targets. */
  before: Type.Array(MessageSchema),
  after: Type.Array(MessageSchema),
  /** The reported user, message author or track owner. */
  user: ModerationUserFileSchema,
});
export type ReportContext = Static<typeof ReportContextSchema>;

/** What POST /moderation/actions answers: the audit row it wrote and the report it settled. */
export const ModerationActionResultSchema = Type.Object({
  auditId: UuidSchema,
  action: Type.Enum(MODERATION_ACTIONS),
  report: Type.Union([ReportSchema, Type.Null()]),
});
export type ModerationActionResult = Static<typeof ModerationActionResultSchema>;

/** GET /moderation/users?q=: search by username prefix (case-insensitive). */
export const ModeratedUserListSchema = Type.Object({ users: Type.Array(ModeratedUserSchema) });
export type ModeratedUserList = Static<typeof ModeratedUserListSchema>;
