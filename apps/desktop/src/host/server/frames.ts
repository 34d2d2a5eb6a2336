/**
 * What the page may send over the socket: a BridgeRequest as JSON text, nothing else. Parsing is
 * strict so a confused or hostile frame is refused before it reaches core; core still validates
 * the arguments itself (CoreClient does).
 */
import type { BridgeRequest } from '../../common/bridge-messages.js';
import { isCommandName } from '../../common/commands.js';

/** Requests are small (uploads go over POST /__veza/upload): 1 MiB is far above any real one. */
export const MAX_FRAME_BYTES = 1024 * 1024;

export type ParsedFrame =
  | { ok: true; request: BridgeRequest }
  /** `id` when the frame was a request we can answer (an unknown command), null when it must be dropped. */
  | { ok: false; id: number | null; reason: string };

export function parseFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, id: null, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, id: null, reason: 'not an object' };
  const frame = value as Record<string, unknown>;
  if (frame.kind !== 'request') return { ok: false, id: null, reason: 'unknown kind' };
  const id = frame.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return { ok: false, id: null, reason: 'bad id' };
  if (!isCommandName(frame.command)) return { ok: false, id, reason: 'unknown command' };
  for (const key of Object.keys(frame)) {
    if (key !== 'kind' && key !== 'id' && key !== 'command' && key !== 'args')
      return { ok: false, id: null, reason: 'unexpected field' };
  }
  return { ok: true, request: { kind: 'request', id, command: frame.command, args: frame.args } };
}
