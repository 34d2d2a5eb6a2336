import { UuidSchema } from '@veza/shared';
import { Type } from 'typebox';
import { defineTopic } from '../../infra/topic.js';

/** An API key was revoked: every instance ends the connections opened with it. */
export const apiKeyRevokedTopic = defineTopic('apikey.revoked', Type.Object({ apiKeyId: UuidSchema }));
