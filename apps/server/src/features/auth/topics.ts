import { UuidSchema } from '@veza/shared';
import { Type } from 'typebox';
import { defineTopic } from '../../infra/topic.js';

/** A sign-in session was revoked (logout): every instance ends the connections it authenticated. */
export const sessionRevokedTopic = defineTopic('session.revoked', Type.Object({ sessionId: UuidSchema }));
