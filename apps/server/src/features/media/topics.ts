import { UuidSchema } from '@veza/shared';
import { Type } from 'typebox';
import { defineTopic } from '../../infra/topic.js';

/** A track is gone: every instance drops what it cached of it. */
export const trackDeletedTopic = defineTopic('media.track.deleted', Type.Object({ trackId: UuidSchema }));
