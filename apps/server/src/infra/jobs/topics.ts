import { Type } from 'typebox';
import { defineTopic } from '../topic.js';

/** Published after a job is committed, so idle workers on every instance look at once. */
export const jobsEnqueuedTopic = defineTopic('jobs.enqueued', Type.Object({}));
