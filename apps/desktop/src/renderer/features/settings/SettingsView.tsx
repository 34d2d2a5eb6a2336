import { useEffect, useState } from 'react';
import type { ThemePreference } from '../../../common/contract.js';
import { GIB } from '../../lib/format.js';
import { useSession } from '../session/session-store.js';
import { useSettings } from './settings-store.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { Spinner } from '../../ui/Spinner.js';

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function SettingsView() {
  const settings = useSettings((s) => s.settings);
  const pickerUnavailable = useSettings((s) => s.folderPickerUnavailable);
  const session = useSession((s) => s.session);
  const user = session?.status === 'signed-in' ? session.user : null;
  const [serverUrl, setServerUrl] = useState('');
  const [quota, setQuota] = useState('');
  const [confirmServer, setConfirmServer] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const store = useSettings.getState();

  const serverSetting = settings?.serverUrl;
  const quotaSetting = settings?.downloadQuotaBytes;
  useEffect(() => {
    if (serverSetting !== undefined) setServerUrl(serverSetting);
    if (quotaSetting !== undefined) setQuota(String(Math.round((quotaSetting / GIB) * 10) / 10));
  }, [serverSetting, quotaSetting]);

  if (!settings) {
    return (
      <section className="view">
        <div className="center-fill">
          <Spinner label="Loading settings" />
        </div>
      </section>
    );
  }

  const serverChanged = serverUrl.trim().replace(/\/+$/, '') !== settings.serverUrl.replace(/\/+$/, '');
  const serverValid = isHttpUrl(serverUrl.trim());
  const quotaNumber = Number(quota);
  const quotaValid = quota.trim() !== '' && Number.isFinite(quotaNumber) && quotaNumber >= 0 && quotaNumber <= 100_000;

  const saveQuota = (): void => {
    if (!quotaValid) return;
    const bytes = Math.round(quotaNumber * GIB);
    if (bytes !== settings.downloadQuotaBytes) void store.update({ downloadQuotaBytes: bytes });
  };

  const changeServer = async (): Promise<void> => {
    const url = serverUrl.trim().replace(/\/+$/, '');
    // Another server means another account: sign out (keeping the cache), then switch.
    await useSession.getState().signOut(false);
    await store.update({ serverUrl: url });
  };

  return (
    <section className="view settings" aria-labelledby="settings-title">
      <header className="view-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      <div className="view-body settings-body">
        <section className="card settings-section" aria-labelledby="settings-account">
          <h2 id="settings-account">Account</h2>
          {user && (
            <dl className="facts">
              <div>
                <dt>Username</dt>
                <dd>{user.username}</dd>
              </div>
              <div>
                <dt>Email</dt>
                <dd>{user.email}</dd>
              </div>
              <div>
                <dt>Role</dt>
                <dd className="capitalize">{user.role}</dd>
              </div>
            </dl>
          )}
          <button type="button" className="button danger-outline" onClick={() => setSigningOut(true)}>
            Sign out
          </button>
        </section>

        <section className="card settings-section" aria-labelledby="settings-server">
          <h2 id="settings-server">Server</h2>
          <form
            className="row gap align-end"
            onSubmit={(e) => {
              e.preventDefault();
              if (serverChanged && serverValid) setConfirmServer(true);
            }}
          >
            <label className="field grow">
              <span>Server URL</span>
              <input
                type="url"
                value={serverUrl}
                onChange={(e) => setServerUrl(e.target.value)}
                spellCheck={false}
                aria-invalid={!serverValid || undefined}
              />
            </label>
            <button type="submit" className="button" disabled={!serverChanged || !serverValid}>
              Change server
            </button>
          </form>
          <p className="hint">Changing the server signs you out. Cached chat and downloads stay on this computer.</p>
        </section>

        <section className="card settings-section" aria-labelledby="settings-downloads">
          <h2 id="settings-downloads">Downloads</h2>
          <div className="field">
            <span id="downloads-dir-label">Downloads folder</span>
            <div className="row gap">
              <code className="path" aria-labelledby="downloads-dir-label" title={settings.downloadsDir}>
                {settings.downloadsDir}
              </code>
              {!pickerUnavailable && (
                <button type="button" className="button small" onClick={() => void store.chooseDownloadsDir()}>
                  Change folder…
                </button>
              )}
            </div>
            {pickerUnavailable && (
              <small className="hint">Choosing a folder needs the desktop app; this copy uses the folder shown.</small>
            )}
          </div>
          <div className="field-group">
            <label className="field narrow">
              <span>Download quota (GB)</span>
              <input
                type="number"
                min={0}
                step={0.5}
                inputMode="decimal"
                value={quota}
                onChange={(e) => setQuota(e.target.value)}
                onBlur={saveQuota}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') saveQuota();
                }}
                aria-invalid={!quotaValid || undefined}
                aria-describedby="quota-hint"
              />
            </label>
            <small className="hint" id="quota-hint">
              When downloads reach this size, new ones are refused. 0 means no downloads.
            </small>
          </div>
        </section>

        <section className="card settings-section" aria-labelledby="settings-app">
          <h2 id="settings-app">Appearance and system</h2>
          <label className="field narrow">
            <span>Theme</span>
            <select
              className="select"
              value={settings.theme}
              onChange={(e) => void store.update({ theme: e.target.value as ThemePreference })}
            >
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={settings.startMinimised}
              onChange={(e) => void store.update({ startMinimised: e.target.checked })}
            />
            <span>Start minimised to tray</span>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={settings.notifications}
              onChange={(e) => void store.update({ notifications: e.target.checked })}
            />
            <span>Show notifications</span>
          </label>
        </section>
      </div>

      <ConfirmDialog
        open={signingOut}
        title="Sign out of Veza?"
        onClose={() => setSigningOut(false)}
        choices={[
          { label: 'Remove cached data', tone: 'danger', onChoose: () => void useSession.getState().signOut(true) },
          { label: 'Keep cached data', tone: 'primary', onChoose: () => void useSession.getState().signOut(false) },
        ]}
      >
        <p>What should happen to the chat history and downloaded tracks stored on this computer?</p>
        <ul className="muted small bullet">
          <li>
            <strong>Keep cached data</strong>: sign back in later and everything is still here.
          </li>
          <li>
            <strong>Remove cached data</strong>: delete cached messages and downloads from this computer.
          </li>
        </ul>
      </ConfirmDialog>

      <ConfirmDialog
        open={confirmServer}
        title="Change server?"
        onClose={() => setConfirmServer(false)}
        choices={[{ label: 'Sign out and change', tone: 'primary', onChoose: () => void changeServer() }]}
      >
        <p>
          Switching to <code>{serverUrl.trim()}</code> signs you out of {settings.serverUrl}. Your cached data stays on
          this computer.
        </p>
      </ConfirmDialog>
    </section>
  );
}
