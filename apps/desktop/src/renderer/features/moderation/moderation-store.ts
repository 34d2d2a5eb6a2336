import { create } from 'zustand';
import type {
  ModerationRuleSet,
  ReportReason,
  ReportTarget,
  Standing,
  StandingEvent,
} from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { errorMessage } from '../../lib/errors.js';
import { useUi } from '../../app/ui-store.js';
import { compileMirror, type CompiledRules } from './draft-check.js';
import { untilText } from './standing-logic.js';

/** What a report dialog is about: the target and how to name it to the user. */
export interface ReportSubject {
  target: ReportTarget;
  /** "the message by ana", "the track “Night Drive”", "ana". */
  label: string;
}

interface ModerationStore {
  ruleSet: ModerationRuleSet | null;
  /** Compiled once per rule set: the composer evaluates on every keystroke. */
  compiled: CompiledRules;
  standing: Standing;
  /** The open report dialog, if any. */
  reporting: ReportSubject | null;
  load(): Promise<void>;
  loadRules(): Promise<void>;
  loadStanding(): Promise<void>;
  notice(event: Extract<StandingEvent, { type: 'moderation.notice' }>): void;
  openReport(subject: ReportSubject): void;
  closeReport(): void;
  /** Null when the report was sent or queued; otherwise why not (shown in the dialog, above its backdrop). */
  submitReport(reason: ReportReason, details: string): Promise<string | null>;
  reset(): void;
}

const EMPTY_STANDING: Standing = { restrictions: [] };

export const useModeration = create<ModerationStore>()((set, get) => ({
  ruleSet: null,
  compiled: compileMirror(null),
  standing: EMPTY_STANDING,
  reporting: null,

  load: async () => {
    await Promise.all([get().loadRules(), get().loadStanding()]);
  },

  loadRules: async () => {
    try {
      const ruleSet = await veza.getEffectiveRules();
      if (ruleSet?.version === get().ruleSet?.version && ruleSet !== null) return;
      set({ ruleSet, compiled: compileMirror(ruleSet) });
    } catch {
      // No rules: the composer simply does not warn; the server still decides.
    }
  },

  loadStanding: async () => {
    try {
      set({ standing: await veza.getStanding() });
    } catch {
      // Signed out meanwhile: nothing to show.
    }
  },

  notice: (event) => {
    const ui = useUi.getState();
    const reason = event.reason ? ` ${event.reason}` : '';
    switch (event.kind) {
      case 'warning':
        ui.toast('error', `A moderator warned you.${reason}`, { icon: 'alert' });
        break;
      case 'timeout':
        ui.toast('error', `You are muted ${untilText(event.until)}.${reason}`);
        break;
      case 'room_ban':
        ui.toast('error', `You were banned from a room ${untilText(event.until)}.${reason}`);
        break;
      case 'unban':
        ui.toast('success', event.roomId ? 'Your room ban was lifted.' : 'Your restrictions were lifted.');
        break;
      case 'rejected':
        ui.toast('error', `A moderator rejected your message.${reason}`);
        break;
      case 'approved':
        ui.toast('success', 'A moderator approved your message.');
        break;
      // 'held' shows on the message itself; 'ban' takes the whole window (BannedScreen).
      case 'held':
      case 'ban':
        break;
    }
  },

  openReport: (subject) => set({ reporting: subject }),
  closeReport: () => set({ reporting: null }),

  submitReport: async (reason, details) => {
    const subject = get().reporting;
    if (!subject) return null;
    try {
      const outcome = await veza.reportContent({
        target: subject.target,
        reason,
        ...(details.trim() ? { details: details.trim() } : {}),
      });
      set({ reporting: null });
      useUi
        .getState()
        .toast(
          'success',
          outcome.state === 'sent'
            ? 'Reported. Moderators will review it.'
            : 'Reported. It will reach the moderators when you are back online.',
        );
      return null;
    } catch (error) {
      return errorMessage(error);
    }
  },

  reset: () => set({ ruleSet: null, compiled: compileMirror(null), standing: EMPTY_STANDING, reporting: null }),
}));
