import { useDeferredValue, useMemo } from 'react';
import type { ChatMessage } from '../../../common/contract.js';
import { useRooms } from '../chat/rooms-store.js';
import { useSession } from '../session/session-store.js';
import { checkDraft, type DraftVerdict } from './draft-check.js';
import { useModeration } from './moderation-store.js';

/**
 * The rule warning for the draft being typed in `roomId` (null: nothing fires). Evaluated on a
 * deferred copy of the draft: with a very large rule set an evaluation can take a frame or more
 * (scripts/bench/desktop-composer-rules.mjs), and typing must never wait for a warning.
 */
export function useDraftVerdict(roomId: string, typed: string, messages: readonly ChatMessage[]): DraftVerdict | null {
  const draft = useDeferredValue(typed);
  const compiled = useModeration((s) => s.compiled);
  const user = useSession((s) => (s.session?.status === 'signed-in' ? s.session.user : null));
  const roomRole = useRooms((s) => s.rooms.find((r) => r.id === roomId)?.myRole ?? null);
  return useMemo(() => {
    if (!user) return null;
    return checkDraft(compiled, {
      draft,
      roomId,
      role: user.role,
      roomRole,
      accountCreatedAt: user.createdAt,
      myId: user.id,
      messages,
      now: Date.now(),
    });
  }, [compiled, user, roomRole, roomId, draft, messages]);
}
