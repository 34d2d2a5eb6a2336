/**
 * The one place core's events reach the UI: each CoreEvent is handed to the store that owns it.
 * "*.changed" events carry no data (or a full snapshot): stores re-query what they show.
 * Also orchestrates what happens when the session starts or ends.
 */
import type { CoreEvent, SessionState } from '../common/contract.js';
import { veza } from './bridge.js';
import { dispatchAdminEvent, resetAdmin } from './features/admin/index.js';
import { useArtistStats, useDashboard } from './features/analytics/index.js';
import { useConnection } from './features/connection/connection-store.js';
import { useDownloads } from './features/downloads/downloads-store.js';
import { useLibrary } from './features/library/library-store.js';
import { clearTypingFor, useMessages } from './features/chat/messages-store.js';
import { usePlayer } from './features/player/player-store.js';
import { usePresence } from './features/chat/presence-store.js';
import { useRooms } from './features/chat/rooms-store.js';
import { useSession } from './features/session/session-store.js';
import { useSettings } from './features/settings/settings-store.js';
import { useUi } from './app/ui-store.js';
import { useModeration } from './features/moderation/moderation-store.js';

export function dispatchEvent(event: CoreEvent): void {
  switch (event.type) {
    case 'session.changed':
      useSession.getState().set(event.session);
      break;
    case 'connection.changed':
      useConnection.getState().set(event.connection);
      break;
    case 'rooms.changed':
      void useRooms.getState().load();
      break;
    case 'messages.changed':
      if (useMessages.getState().rooms[event.roomId]) void useMessages.getState().refresh(event.roomId);
      break;
    case 'typing':
      useMessages.getState().typingReceived(event.notice.roomId, event.notice.userId, event.notice.username);
      break;
    case 'presence':
      usePresence.getState().set(event.userId, event.status === 'online');
      break;
    case 'mention': {
      clearTypingFor(event.roomId, event.message.authorId);
      const ui = useUi.getState();
      const viewing =
        ui.view.kind === 'room' && ui.view.roomId === event.roomId && document.visibilityState === 'visible';
      if (!viewing) {
        ui.toast('mention', `${event.message.authorUsername} mentioned you in ${event.roomName}`, {
          view: { kind: 'room', roomId: event.roomId },
        });
      }
      break;
    }
    case 'moderation.queue.changed':
    case 'moderation.actions.changed':
      dispatchAdminEvent(event);
      break;
    case 'library.changed':
      void useLibrary.getState().refresh();
      break;
    case 'track.processing':
      useLibrary.getState().trackProcessing(event.trackId, event.state, event.percent, event.failureReason);
      break;
    case 'upload.progress':
      useLibrary.getState().uploadProgress(event.uploadId, event.sentBytes, event.totalBytes);
      break;
    case 'downloads.changed':
      useDownloads.getState().set(event.downloads);
      break;
    case 'rules.changed':
      void useModeration.getState().loadRules();
      break;
    case 'standing.changed':
      void useModeration.getState().loadStanding();
      break;
    case 'moderation.notice':
      // Bans and timeouts also change the standing (core sends standing.changed first).
      useModeration.getState().notice(event);
      break;
    case 'settings.changed':
      useSettings.getState().set(event.settings);
      usePlayer.getState().syncSettings(event.settings.volume, event.settings.playbackQuality);
      break;
  }
}

function signedInAs(session: SessionState | null): string | null {
  return session?.status === 'signed-in' ? session.user.id : null;
}

/** Loads what a signed-in user sees. */
async function loadSignedIn(): Promise<void> {
  await Promise.all([
    useRooms.getState().load(),
    useDownloads.getState().load(),
    useConnection.getState().load(),
    useModeration.getState().load(),
    useSettings
      .getState()
      .load()
      .then(() => {
        const settings = useSettings.getState().settings;
        if (settings) usePlayer.getState().syncSettings(settings.volume, settings.playbackQuality);
      }),
  ]);
}

/** Forgets everything of the previous user. */
function resetSignedOut(): void {
  usePlayer.getState().stop();
  useRooms.getState().reset();
  useMessages.getState().reset();
  useLibrary.getState().reset();
  useDownloads.getState().reset();
  useDashboard.getState().reset();
  useArtistStats.getState().reset();
  usePresence.getState().reset();
  useModeration.getState().reset();
  resetAdmin();
  useUi.getState().reset();
}

/** Subscribes to core, loads the session, and reacts to sign-in / sign-out. Returns a stop function. */
export function startApp(): () => void {
  const offEvents = veza.onEvent(dispatchEvent);
  let user: string | null = null;
  const offSession = useSession.subscribe((state) => {
    const next = signedInAs(state.session);
    if (next === user) return;
    const previous = user;
    user = next;
    if (previous !== null) resetSignedOut();
    if (next !== null) void loadSignedIn();
  });
  // Away from the server nobody can tell us who stopped typing or went offline: typing notices go
  // at once, and presence becomes unknown until core's fresh presence events after reconnecting.
  const offConnection = useConnection.subscribe((state, previous) => {
    const status = state.connection.status;
    if (status === 'online') return;
    useMessages.getState().clearTyping();
    if (previous.connection.status === 'online') usePresence.getState().reset();
  });
  void useSession.getState().load();
  void useSettings.getState().load();
  const typingTimer = setInterval(() => useMessages.getState().pruneTyping(), 1000);
  return () => {
    offEvents();
    offSession();
    offConnection();
    clearInterval(typingTimer);
  };
}
