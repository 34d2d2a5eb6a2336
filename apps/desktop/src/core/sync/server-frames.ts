import {
  AckFrameSchema,
  DoneFrameSchema,
  ErrorFrameSchema,
  FetchedFrameSchema,
  ModerationNoticeFrameSchema,
  PresenceFrameSchema,
  ResetFrameSchema,
  RoomEventSchema,
  RulesChangedFrameSchema,
  SyncedFrameSchema,
  TrackProgressFrameSchema,
  TypingNoticeFrameSchema,
  WelcomeFrameSchema,
  type ServerFrame,
} from '@veza/shared';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

type Validator = { Check(value: unknown): boolean };

/** One compiled validator per frame type: the check picks by `type`, as the server does. */
const VALIDATORS: Record<ServerFrame['type'], Validator> = {
  welcome: compile(WelcomeFrameSchema),
  event: compile(RoomEventSchema),
  synced: compile(SyncedFrameSchema),
  reset: compile(ResetFrameSchema),
  ack: compile(AckFrameSchema),
  done: compile(DoneFrameSchema),
  fetched: compile(FetchedFrameSchema),
  error: compile(ErrorFrameSchema),
  presence: compile(PresenceFrameSchema),
  typing: compile(TypingNoticeFrameSchema),
  track: compile(TrackProgressFrameSchema),
  moderation: compile(ModerationNoticeFrameSchema),
  rules: compile(RulesChangedFrameSchema),
};

function compile(schema: TSchema): Validator {
  return Compile(schema);
}

export type ParsedServerFrame = { ok: true; frame: ServerFrame } | { ok: false; reason: string };

/**
 * Parses one frame from the server. Anything that is not valid JSON or does not match the
 * protocol's schema is refused with a reason (for the log), never thrown: a buggy or hostile
 * server must not crash the sync engine.
 */
export function parseServerFrame(text: string): ParsedServerFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'not an object' };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(VALIDATORS, type)) return { ok: false, reason: 'unknown type' };
  if (!VALIDATORS[type as ServerFrame['type']].Check(value)) return { ok: false, reason: `invalid ${type} frame` };
  return { ok: true, frame: value as ServerFrame };
}
