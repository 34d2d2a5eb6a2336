import type { LibraryTrack } from '../../../common/contract.js';
import { SEEK_STEP_S, usePlayer } from './player-store.js';

/** Wires the OS media controls (MediaSession) to the player store. Returns an unsubscribe function. */
export function startMediaSession(): () => void {
  if (typeof navigator === 'undefined' || !('mediaSession' in navigator)) return () => undefined;
  const session = navigator.mediaSession;
  const player = usePlayer.getState;
  const handlers: [MediaSessionAction, MediaSessionActionHandler][] = [
    ['play', () => player().play()],
    ['pause', () => player().pause()],
    ['previoustrack', () => void player().previous()],
    ['nexttrack', () => void player().next()],
    ['seekto', (details) => details.seekTime !== undefined && player().seek(details.seekTime)],
    ['seekbackward', (details) => player().seekBy(-(details.seekOffset ?? SEEK_STEP_S))],
    ['seekforward', (details) => player().seekBy(details.seekOffset ?? SEEK_STEP_S)],
  ];
  for (const [action, handler] of handlers) {
    try {
      session.setActionHandler(action, handler);
    } catch {
      // Action not supported here.
    }
  }

  let lastTrack: LibraryTrack | null = null;
  let lastPositionUpdate = 0;
  const unsubscribe = usePlayer.subscribe((state) => {
    const track = state.source?.track ?? null;
    if (track !== lastTrack) {
      lastTrack = track;
      session.metadata = track
        ? new MediaMetadata({
            title: track.title,
            artist: track.artist,
            album: track.album ?? '',
            artwork: track.coverSrc ? [{ src: track.coverSrc, sizes: '512x512' }] : [],
          })
        : null;
    }
    session.playbackState = state.status === 'playing' ? 'playing' : state.source ? 'paused' : 'none';
    const now = Date.now();
    if (state.duration > 0 && now - lastPositionUpdate > 1000) {
      lastPositionUpdate = now;
      try {
        session.setPositionState({
          duration: state.duration,
          position: Math.min(state.position, state.duration),
          playbackRate: 1,
        });
      } catch {
        // Inconsistent values while a track loads.
      }
    }
  });
  return () => {
    unsubscribe();
    for (const [action] of handlers) {
      try {
        session.setActionHandler(action, null);
      } catch {
        // ignore
      }
    }
  };
}
