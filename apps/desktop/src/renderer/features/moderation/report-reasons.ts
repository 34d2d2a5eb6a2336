import type { ReportReason } from '../../../common/contract.js';

/** The reasons as people read them, in the order the dialog offers them. */
export const REASON_LABELS: Record<ReportReason, { label: string; hint: string }> = {
  spam: { label: 'Spam', hint: 'Advertising, scams, the same thing over and over' },
  harassment: { label: 'Harassment', hint: 'Insults, threats or targeting someone' },
  hate: { label: 'Hate', hint: 'Attacks on people for who they are' },
  sexual: { label: 'Sexual content', hint: 'Explicit or unwanted sexual content' },
  violence: { label: 'Violence', hint: 'Graphic violence or incitement' },
  self_harm: { label: 'Self-harm', hint: 'Someone may be at risk' },
  illegal: { label: 'Illegal', hint: 'Piracy, illegal goods or activity' },
  other: { label: 'Something else', hint: 'Tell the moderators in the details' },
};

export const REPORT_DETAILS_MAX = 1000;
