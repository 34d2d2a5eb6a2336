import { useEffect, useRef } from 'react';
import { engine } from '../features/player/player-store.js';
import { useSession } from '../features/session/session-store.js';
import { useSettings } from '../features/settings/settings-store.js';
import { Spinner } from '../ui/Spinner.js';
import { Shell } from './Shell.js';
import { SignIn } from '../features/session/SignIn.js';
import { Toasts } from './Toasts.js';
import { BannedScreen } from '../features/moderation/BannedScreen.js';
import { ReportDialog } from '../features/moderation/ReportDialog.js';
import { useModeration } from '../features/moderation/moderation-store.js';
import { serverBan } from '../features/moderation/standing-logic.js';

/** Applies the theme: settings.theme when forced, else the OS preference. */
function useTheme(): void {
  const theme = useSettings((s) => s.settings?.theme ?? 'system');
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const apply = (): void => {
      const resolved = theme === 'system' ? (media.matches ? 'dark' : 'light') : theme;
      document.documentElement.dataset.theme = resolved;
      document.documentElement.style.colorScheme = resolved;
      engine.refreshColors();
    };
    apply();
    media.addEventListener('change', apply);
    return () => media.removeEventListener('change', apply);
  }, [theme]);
}

export function App() {
  useTheme();
  const session = useSession((s) => s.session);
  const loadError = useSession((s) => s.loadError);
  const audioRef = useRef<HTMLAudioElement>(null);
  // Re-read on every standing change; a timed ban's end arrives as a standing change from core.
  const ban = useModeration((s) => serverBan(s.standing, Date.now()));

  useEffect(() => {
    engine.attachAudio(audioRef.current);
    return () => engine.attachAudio(null);
  }, []);

  return (
    <>
      {session === null ? (
        <div className="splash">
          {loadError ? (
            <div className="splash-error" role="alert">
              <h1>Veza could not start</h1>
              <p>{loadError}</p>
              <button type="button" className="button primary" onClick={() => void useSession.getState().load()}>
                Try again
              </button>
            </div>
          ) : (
            <Spinner label="Starting Veza" />
          )}
        </div>
      ) : session.status === 'signed-out' ? (
        <SignIn serverUrl={session.serverUrl} />
      ) : ban ? (
        <BannedScreen
          reason={ban.reason}
          until={ban.until}
          onSignOut={() => void useSession.getState().signOut(false)}
        />
      ) : (
        <>
          <Shell />
          <ReportDialog />
        </>
      )}
      {/* One audio element for the whole app, always in the DOM. */}
      <audio ref={audioRef} data-testid="audio" preload="auto" crossOrigin="anonymous" hidden />
      <Toasts />
    </>
  );
}
