import { Type } from 'typebox';
import { defineTopic } from '../../infra/topic.js';

/**
 * The rule set changed (its new version): every instance reloads its compiled rules and tells
 * its connected clients with a `rules` frame.
 */
export const rulesChangedTopic = defineTopic(
  'moderation.rules',
  Type.Object({ version: Type.Integer({ minimum: 0 }) }),
);
