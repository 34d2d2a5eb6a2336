import { Type } from 'typebox';
import { UuidSchema } from '../../schemas/common.js';
import { TrackStateSchema } from '../../schemas/media.js';

/*
 * Media's frame family: server frames only, delivered as per-user notices (the client sends
 * media nothing over the socket).
 */

/**
 * Sent to the uploader's connections while their track is processed: progress in percent, then
 * the final state (with the reason when it failed).
 */
export const TrackProgressFrameSchema = Type.Object({
  type: Type.Literal('track'),
  trackId: UuidSchema,
  state: TrackStateSchema,
  percent: Type.Number({ minimum: 0, maximum: 100 }),
  failureReason: Type.Optional(Type.String()),
});

export const MEDIA_SERVER_FRAMES = [TrackProgressFrameSchema] as const;
