import { useEffect } from 'react';
import { SEEK_STEP_S, usePlayer } from '../features/player/player-store.js';
import { sidebarOrder, useRooms } from '../features/chat/rooms-store.js';
import { useUi } from './ui-store.js';

/** True when a key press belongs to a text field (or another control that uses the key itself). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file'].includes(type);
  }
  return false;
}

function isActivatable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && ['BUTTON', 'A', 'SUMMARY'].includes(target.tagName);
}

/** The app-wide keyboard shortcuts: search, settings, room switching, and the player's keys. */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const ui = useUi.getState();
      const mod = e.ctrlKey || e.metaKey;
      if (mod && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        ui.setSearchOpen(!ui.searchOpen);
        return;
      }
      if (mod && !e.altKey && e.key === ',') {
        e.preventDefault();
        ui.navigate({ kind: 'settings' });
        return;
      }
      if (e.altKey && !mod && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
        const rooms = sidebarOrder(useRooms.getState().rooms);
        if (rooms.length === 0) return;
        e.preventDefault();
        const currentId = ui.view.kind === 'room' ? ui.view.roomId : null;
        const at = rooms.findIndex((r) => r.id === currentId);
        const delta = e.key === 'ArrowUp' ? -1 : 1;
        const next = at === -1 ? (delta === 1 ? 0 : rooms.length - 1) : (at + delta + rooms.length) % rooms.length;
        const room = rooms[next];
        if (room) ui.openRoom(room.id);
        return;
      }
      // The tray's Play/Pause arrives as this synthetic key (main/tray.ts): honour it anywhere.
      if (e.key === 'MediaPlayPause') {
        const player = usePlayer.getState();
        if (player.source || player.queue.index !== -1) player.togglePlay();
        return;
      }
      if (mod || e.altKey || ui.searchOpen || isTypingTarget(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const player = usePlayer.getState();
      if (e.key === ' ' && !isActivatable(e.target)) {
        if (!player.source && player.queue.index === -1) return;
        e.preventDefault();
        player.togglePlay();
      } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        if (!player.source || (e.target instanceof HTMLInputElement && e.target.type === 'range')) return;
        e.preventDefault();
        player.seekBy(e.key === 'ArrowLeft' ? -SEEK_STEP_S : SEEK_STEP_S);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
