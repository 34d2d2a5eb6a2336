import { randomBytes } from 'node:crypto';
import { createUuidV7 } from '@veza/shared';

/** Client ids for the outbox: UUIDv7, so this process's sends sort in the order they were made. */
export const uuidv7 = createUuidV7((length) => randomBytes(length));
