import type { BucketLimits } from '../../infra/token-bucket.js';
import { defineFeature } from '../feature-module.js';
import { Actions } from './actions.js';
import { AuditLog } from './audit.js';
import { ModerationChatGuard } from './chat-guard.js';
import { DEFAULT_REPORT_LIMITS, Reports } from './reports.js';
import { moderationRoutes } from './routes.js';
import { Sanctions } from './sanctions.js';
import { UserFiles } from './user-files.js';

export type { AuditLog } from './audit.js';

declare module '../feature-module.js' {
  interface FeatureServices {
    /** The audit log (admin records role changes in it) and the moderation services tests drive. */
    moderation: { audit: AuditLog; reports: Reports; actions: Actions };
  }
}

export interface ModerationLimits {
  /** Reports per user: a burst, then a steady trickle (a flood gets RATE_LIMITED). */
  moderationReports: BucketLimits;
}

/**
 * Moderation: reports and the queue, moderators' actions (bans, timeouts, room bans, held
 * messages), the audit log, users' files. It guards chat (sends, edits, joins) and sign-in
 * through hooks those features expose, so neither imports it.
 */
export const moderationFeature = defineFeature<ModerationLimits>({
  name: 'moderation',
  limits: { moderationReports: DEFAULT_REPORT_LIMITS },
  setup: ({ db, bus, clock, logger, limits, service }) => {
    const chat = service('chat');
    const auth = service('auth');
    const audit = new AuditLog(db);
    const sanctions = new Sanctions({ db, bus, clock, logger, chat });
    const users = new UserFiles({ db, clock, chat, audit });
    const reports = new Reports({ db, clock, chat, limits: limits.moderationReports, userFile: users.file });
    const actions = new Actions({ db, bus, clock, chat, audit, reports, sanctions, slowMode: () => undefined });
    auth.addSignInGuard(sanctions.signInGuard);
    chat.addGuard(new ModerationChatGuard(sanctions, () => undefined));
    return {
      services: { moderation: { audit, reports, actions } },
      api: async (api) => {
        await api.register(moderationRoutes, { reports, actions, audit, users });
      },
    };
  },
});
