import { useEffect, useState } from 'react';
import { useModeration } from './moderation-store.js';
import { composerBlock, nextExpiry } from './standing-logic.js';

/** Why I cannot send in `roomId` (a room ban, a timeout), re-checked when one ends. */
export function useComposerBlock(roomId: string): string | null {
  const standing = useModeration((s) => s.standing);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const next = nextExpiry(standing, Date.now());
    if (next === null) return;
    // setTimeout overflows past ~24.8 days; a later end is re-checked on the next render anyway.
    const timer = setTimeout(() => setNow(Date.now()), Math.min(next - Date.now() + 250, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [standing, now]);
  return composerBlock(standing, roomId, now);
}
