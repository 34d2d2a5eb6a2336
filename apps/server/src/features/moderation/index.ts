import type { BucketLimits } from '../../infra/token-bucket.js';
import { defineFeature } from '../feature-module.js';
import { Actions } from './actions.js';
import { AuditLog } from './audit.js';
import { Automod } from './automod.js';
import { ModerationChatGuard } from './chat-guard.js';
import { ModerationRealtime } from './realtime.js';
import { DEFAULT_REPORT_LIMITS, Reports } from './reports.js';
import { moderationRoutes } from './routes.js';
import { RuleBook } from './rule-book.js';
import { ruleRoutes } from './rule-routes.js';
import { RuleTester } from './rule-tester.js';
import { Sanctions } from './sanctions.js';
import { rulesChangedTopic } from './topics.js';
import { UserFiles } from './user-files.js';

export type { AuditLog } from './audit.js';

declare module '../feature-module.js' {
  interface FeatureServices {
    /** The audit log (admin records role changes in it), and the parts tests drive. */
    moderation: { audit: AuditLog; reports: Reports; actions: Actions; rules: RuleBook };
  }
}

export interface ModerationLimits {
  /** Reports per user: a burst, then a steady trickle (a flood gets RATE_LIMITED). */
  moderationReports: BucketLimits;
}

/**
 * Moderation: automatic rules, reports and the queue, moderators' actions (bans, timeouts, room
 * bans, held messages, slow mode), the audit log, users' files. It guards chat (sends, edits,
 * joins) and sign-in through hooks those features expose, so neither imports it.
 */
export const moderationFeature = defineFeature<ModerationLimits>({
  name: 'moderation',
  limits: { moderationReports: DEFAULT_REPORT_LIMITS },
  setup: async ({ db, bus, clock, logger, limits, service }) => {
    const chat = service('chat');
    const auth = service('auth');
    const audit = new AuditLog(db);
    const sanctions = new Sanctions({ db, bus, clock, logger, chat });
    const users = new UserFiles({ db, clock, chat, audit });
    const reports = new Reports({ db, clock, chat, limits: limits.moderationReports, userFile: users.file });
    const rules = new RuleBook({ db, bus, clock, logger, chat, audit });
    const actions = new Actions({ db, bus, clock, chat, audit, reports, sanctions, slowMode: rules });
    const automod = new Automod({ db, bus, clock, rules, reports, sanctions, audit });
    const tester = new RuleTester({ rules, chat, clock });
    const realtime = new ModerationRealtime();
    rules.onChange = (version) => realtime.rulesChanged(version);
    auth.addSignInGuard(sanctions.signInGuard);
    chat.addGuard(new ModerationChatGuard(sanctions, automod));
    return {
      services: { moderation: { audit, reports, actions, rules } },
      realtime,
      subscriptions: [
        (subscribed) =>
          subscribed.subscribe(rulesChangedTopic, ({ version }) => {
            rules.reload(version).catch((error: unknown) => logger.error({ err: error }, 'could not reload the rules'));
          }),
      ],
      api: async (api) => {
        await api.register(moderationRoutes, { reports, actions, audit, users });
        await api.register(ruleRoutes, { rules, actions, tester });
      },
    };
  },
});
