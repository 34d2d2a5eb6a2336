/** Reports: any signed-in user flags a message, a user or a track for the moderators. */
import { REPORT_REASONS, ReportCreateBodySchema, type ReportReason, type ReportTarget } from '@veza/shared';
import { command } from './command.js';

export { REPORT_REASONS, type ReportReason, type ReportTarget };

/** `sent`: the server has it. `queued`: kept on this device and sent when the connection returns. */
export interface ReportOutcome {
  state: 'sent' | 'queued';
}

export const reportCommands = {
  reportContent: command(ReportCreateBodySchema).returns<ReportOutcome>(),
};
