import type { CoreEvent, Settings } from '../common/contract.js';

type MentionEvent = Extract<CoreEvent, { type: 'mention' }>;

/** A mention becomes an OS notification only when the user wants them and is not looking. */
export function shouldNotifyMention(
  event: CoreEvent,
  settings: Pick<Settings, 'notifications'> | null,
  windowFocused: boolean,
): event is MentionEvent {
  return event.type === 'mention' && settings?.notifications === true && !windowFocused;
}

const BODY_MAX = 140;

/** Title and body of a mention notification: plain text, never HTML, bounded in length. */
export function mentionNotificationContent(event: MentionEvent): { title: string; body: string } {
  const text = event.message.body.replace(/\s+/g, ' ').trim();
  const body = text.length > BODY_MAX ? `${text.slice(0, BODY_MAX - 1)}…` : text;
  return { title: `${event.message.authorUsername} in ${event.roomName}`, body };
}
