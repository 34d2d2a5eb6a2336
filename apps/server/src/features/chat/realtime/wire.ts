import type { RoomEvent } from '@veza/shared';
import { type FeatureFrameType } from '../../../gateway/index.js';

/** The client frames chat answers. */
export type ChatFrameType = Extract<
  FeatureFrameType,
  'send' | 'edit' | 'delete' | 'react' | 'read' | 'typing' | 'fetch'
>;

/**
 * An event with its JSON encoded once into UTF-8 bytes; the same buffer is written to every
 * socket, so a fan-out to N sockets costs one serialisation, not N.
 */
export interface WireEvent {
  event: RoomEvent;
  data: Buffer;
}
